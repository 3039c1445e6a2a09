-- Dataset generation jobs (issue 5): one row per job with its persisted progress, and the work items of the
-- jobs that resume item by item after a restart (generate-dialogs, generate-qa with an LLM).
CREATE TABLE jobs (
    id               text        PRIMARY KEY,
    type             text        NOT NULL,
    status           text        NOT NULL
                     CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    params           jsonb       NOT NULL DEFAULT '{}',
    total            integer     NOT NULL DEFAULT 0,
    done             integer     NOT NULL DEFAULT 0,
    error_count      integer     NOT NULL DEFAULT 0,
    -- the first errors (file, position, label, item, message); error_count counts them all
    errors           jsonb       NOT NULL DEFAULT '[]',
    result           jsonb,
    message          text,
    cancel_requested boolean     NOT NULL DEFAULT false,
    -- how many times a runner started the job: 1, plus one per resume after a restart
    runs             integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX jobs_by_status ON jobs (status, created_at);

-- A job's planned unit of work, keyed so that a resumed job finds what is already done.
CREATE TABLE job_items (
    job_id     text        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    item_key   text        NOT NULL,
    ordinal    integer     NOT NULL,
    status     text        NOT NULL CHECK (status IN ('PENDING', 'SENT', 'DONE', 'FAILED')),
    payload    jsonb       NOT NULL,
    attempts   integer     NOT NULL DEFAULT 0,
    sent_at    timestamptz,
    error      text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, item_key)
);
CREATE INDEX job_items_by_status ON job_items (job_id, status, ordinal);
