-- Training runs. A run is queued by a record on latentqa.training-requests or by POST /v1/runs;
-- the trainer (a later issue) moves it through RUNNING to a final status.
CREATE TABLE runs (
    id          text        PRIMARY KEY,
    status      text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    spec        jsonb       NOT NULL,
    source      text        NOT NULL CHECK (source IN ('kafka', 'rest')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX runs_by_status ON runs (status, created_at);
