-- Dialogs captured for datasets: activation events on latentqa.activations with source=dataset, one per
-- request id (the generation job's request). Later issues turn them into QA records.
CREATE TABLE captures (
    request_id    text        PRIMARY KEY,
    model_id      text        NOT NULL,
    model_digest  text        NOT NULL,
    layers        text        NOT NULL,
    positions     text        NOT NULL,
    token_count   integer     NOT NULL,
    d_model       integer     NOT NULL,
    dialog        jsonb,
    blob_uri      text,
    created_at    timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);
