-- Training progress, checkpoints, evaluations and the published adapter of each run (issue 6).
ALTER TABLE runs
    ADD COLUMN step               integer          NOT NULL DEFAULT 0,
    ADD COLUMN total_steps        integer,
    ADD COLUMN loss               double precision,
    ADD COLUMN tokens_per_second  double precision,
    ADD COLUMN eta_seconds        double precision,
    ADD COLUMN message            text,
    ADD COLUMN adapter_id         text,
    ADD COLUMN adapter_uri        text,
    ADD COLUMN adapter_digest     text,
    ADD COLUMN report_path        text,
    ADD COLUMN cancel_requested   boolean          NOT NULL DEFAULT false,
    ADD COLUMN started_at         timestamptz,
    ADD COLUMN finished_at        timestamptz;

-- one row per optimizer step: the loss curve
CREATE TABLE run_steps (
    run_id             text             NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step               integer          NOT NULL,
    loss               double precision NOT NULL,
    learning_rate      double precision NOT NULL,
    gradient_norm      double precision NOT NULL,
    tokens_per_second  double precision NOT NULL,
    created_at         timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, step)
);

-- checkpoint folders under the state directory: adapter + optimizer state + data cursor + RNG rule
CREATE TABLE checkpoints (
    run_id      text        NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step        integer     NOT NULL,
    micro_step  bigint      NOT NULL,
    path        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, step)
);

-- evaluations on the eval split, during and after training
CREATE TABLE evaluations (
    run_id                  text             NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step                    integer          NOT NULL,
    loss                    double precision,
    mc_accuracy             double precision,
    mc_accuracy_normalised  double precision,
    exact_match             double precision,
    token_f1                double precision,
    rouge_l                 double precision,
    created_at              timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, step)
);
