-- LatentQA data (issue 5; docs/dataset-service.md). A control is the hidden behaviour of one label; a dialog
-- is one read-side record (the four record kinds of the reference, plus dialogs completed by the target
-- model through capture-service); a QA pair belongs to a label. A QA record is every dialog of a label
-- joined with every QA pair of that label (method doc §1.2): the view qa_records.
CREATE TABLE controls (
    id          bigserial   PRIMARY KEY,
    label       text        NOT NULL UNIQUE,
    kind        text        NOT NULL,
    text        text        NOT NULL,
    source      text        NOT NULL CHECK (source IN ('import', 'grammar')),
    -- grammar controls: the grammar and the value of each attribute slot
    grammar     text,
    attributes  jsonb,
    -- imports: which record gave the text (system < control < stimulus_completion < stimulus), for
    -- labels that several files carry with different wording
    source_rank integer     NOT NULL DEFAULT 0,
    source_file text,
    position    text,
    job_id      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX controls_by_label_prefix ON controls (label text_pattern_ops);
CREATE INDEX controls_by_job ON controls (job_id);

CREATE TABLE dialogs (
    id                  bigserial   PRIMARY KEY,
    -- import:<file>#<label>#<n-th record of the label in the file> | grammar:<label> | capture:<job>:<item>
    natural_key         text        NOT NULL UNIQUE,
    label               text        NOT NULL,
    kind                text        NOT NULL,
    record_kind         text        NOT NULL CHECK (record_kind IN ('control', 'stimulus', 'stimulus_completion',
                                        'system', 'system_completion', 'text_completion')),
    control_text        text        NOT NULL,
    stimulus_text       text,
    -- [{"role": "system"|"user"|"assistant", "content": "..."}...]
    messages            jsonb       NOT NULL,
    source              text        NOT NULL CHECK (source IN ('import', 'grammar', 'capture')),
    source_file         text,
    position            text,
    model_id            text,
    model_digest        text,
    settings            jsonb,
    activation_event_id text,
    job_id              text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dialogs_by_label ON dialogs (label text_pattern_ops);
CREATE INDEX dialogs_by_job ON dialogs (job_id);

CREATE TABLE qa_pairs (
    id          bigserial   PRIMARY KEY,
    -- import:<file>#<label>#<n> | template:<label>#<template> | llm:<label>#<prompt>#<n>
    natural_key text        NOT NULL UNIQUE,
    label       text        NOT NULL,
    question    text        NOT NULL,
    answer      text        NOT NULL,
    source      text        NOT NULL CHECK (source IN ('import', 'template', 'llm')),
    template    text,
    source_file text,
    position    text,
    job_id      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX qa_pairs_by_label ON qa_pairs (label text_pattern_ops);

-- train / eval / test by label, never by record: a label has at most one split
CREATE TABLE label_splits (
    label       text        PRIMARY KEY,
    split       text        NOT NULL CHECK (split IN ('train', 'eval', 'test')),
    seed        bigint      NOT NULL,
    job_id      text        NOT NULL,
    assigned_at timestamptz NOT NULL DEFAULT now()
);

-- What trainer and evaluation read (through GET /v1/records): one row per dialog x QA pair of its label.
CREATE VIEW qa_records AS
SELECT d.id || ':' || q.id                    AS id,
       d.id                                   AS dialog_id,
       q.id                                   AS qa_id,
       d.label,
       d.kind,
       d.record_kind,
       d.control_text                         AS control,
       d.messages                             AS dialog,
       q.question,
       q.answer,
       s.split,
       q.source,
       d.source                               AS dialog_source,
       q.job_id,
       d.job_id                               AS dialog_job_id,
       d.model_id,
       GREATEST(d.created_at, q.created_at)   AS created_at
FROM dialogs d
JOIN qa_pairs q ON q.label = d.label
LEFT JOIN label_splits s ON s.label = d.label;
