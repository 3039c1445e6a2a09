-- pair-stimuli (docs/dataset-service.md): system dialogs that put a control's prompt before another label's
-- user turn. They are neither imported nor completed by a model, so they get their own source.
ALTER TABLE dialogs DROP CONSTRAINT dialogs_source_check;
ALTER TABLE dialogs ADD CONSTRAINT dialogs_source_check CHECK (source IN ('import', 'grammar', 'capture', 'pairing'));
