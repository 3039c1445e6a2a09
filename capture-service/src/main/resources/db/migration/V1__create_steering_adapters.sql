-- Steering adapters announced on latentqa.model-events (a local cache of the registry): capture applies a
-- published one on request and refuses a retired one. The adapter bytes stay where the event's uri says.
CREATE TABLE steering_adapters (
    adapter_id         text        PRIMARY KEY,
    status             text        NOT NULL CHECK (status IN ('published', 'retired')),
    digest             text,
    base_model_id      text,
    base_model_digest  text,
    run_id             text,
    uri                text,
    event              jsonb       NOT NULL,
    published_at       timestamptz,
    retired_at         timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
