-- Every activation event seen on latentqa.activations: its metadata and where it sits in the topic, so a
-- reading (a later issue) can name the activation it read and an auditor can find the bytes again.
CREATE TABLE activation_events (
    id               bigserial   PRIMARY KEY,
    request_id       text        NOT NULL,
    model_id         text        NOT NULL,
    model_digest     text        NOT NULL,
    layers           text        NOT NULL,
    positions        text        NOT NULL,
    source           text        NOT NULL CHECK (source IN ('traffic', 'dataset', 'eval')),
    token_count      integer     NOT NULL,
    d_model          integer     NOT NULL,
    has_dialog       boolean     NOT NULL,
    blob_uri         text,
    value_bytes      integer     NOT NULL,
    kafka_partition  integer     NOT NULL,
    kafka_offset     bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kafka_partition, kafka_offset)
);

CREATE INDEX activation_events_by_request ON activation_events (request_id, id DESC);
