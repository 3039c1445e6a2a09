-- Control jobs (method doc §6): a control (QA pairs, or a goal in words made into QA pairs) becomes a steering
-- adapter trained through a frozen decoder. spec holds the request with every default filled in.
CREATE TABLE control_jobs (
    id                text        PRIMARY KEY,
    status            text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    control_text      text        NOT NULL,
    qa                jsonb       NOT NULL,
    spec              jsonb       NOT NULL,
    step              integer     NOT NULL DEFAULT 0,
    total_steps       integer     NOT NULL,
    message           text,
    cancel_requested  boolean     NOT NULL DEFAULT false,
    result            jsonb,
    adapter_id        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX control_jobs_queue ON control_jobs (status, created_at);

-- The control loss of every step: at the read layer, and per steered block in per-layer mode.
CREATE TABLE control_steps (
    job_id        text             NOT NULL REFERENCES control_jobs (id) ON DELETE CASCADE,
    step          integer          NOT NULL,
    loss          double precision NOT NULL,
    layer_losses  jsonb,
    grad_norm     double precision,
    seconds       double precision,
    PRIMARY KEY (job_id, step)
);

-- The steering adapters this service made; capture-service loads the published ones from their uri.
CREATE TABLE steering_adapters (
    adapter_id         text        PRIMARY KEY,
    job_id             text        NOT NULL REFERENCES control_jobs (id),
    status             text        NOT NULL CHECK (status IN ('published', 'retired')),
    digest             text        NOT NULL,
    uri                text        NOT NULL,
    base_model_id      text        NOT NULL,
    base_model_digest  text        NOT NULL,
    decoder            text        NOT NULL,
    published_at       timestamptz NOT NULL DEFAULT now(),
    retired_at         timestamptz
);
