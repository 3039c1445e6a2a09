-- Standing questions over latentqa.activations. A monitor either scores candidate answers (rule 'choice':
-- flagged when the probability of flag_answer among the candidates reaches threshold) or generates an answer
-- and matches a regular expression on it (rule 'regex'). Filters: model id and source (null = any).
CREATE TABLE monitors (
    id             uuid             PRIMARY KEY,
    name           text             NOT NULL,
    question       text             NOT NULL,
    rule           text             NOT NULL CHECK (rule IN ('choice', 'regex')),
    answers        text[],
    flag_answer    text,
    threshold      double precision,
    normalise      boolean          NOT NULL DEFAULT false,
    pattern        text,
    model_filter   text,
    source_filter  text             CHECK (source_filter IN ('traffic', 'dataset', 'eval')),
    created_at     timestamptz      NOT NULL DEFAULT now(),
    updated_at     timestamptz      NOT NULL DEFAULT now(),
    CHECK (rule <> 'choice' OR (answers IS NOT NULL AND flag_answer IS NOT NULL AND threshold IS NOT NULL)),
    CHECK (rule <> 'regex' OR pattern IS NOT NULL)
);

-- Every reading a monitor made, kept for audit (also published on latentqa.readings). monitor_id is not a
-- foreign key: readings outlive a deleted monitor.
CREATE TABLE readings (
    id             bigserial        PRIMARY KEY,
    activation_id  text             NOT NULL,
    monitor_id     uuid             NOT NULL,
    question       text             NOT NULL,
    answer         text             NOT NULL,
    score          double precision NOT NULL,
    flagged        boolean          NOT NULL,
    model_id       text             NOT NULL,
    adapter        text             NOT NULL,
    created_at     timestamptz      NOT NULL DEFAULT now()
);

CREATE INDEX readings_by_activation ON readings (activation_id);
CREATE INDEX readings_by_monitor ON readings (monitor_id, id DESC);
