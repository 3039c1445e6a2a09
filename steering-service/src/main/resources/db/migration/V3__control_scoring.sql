-- Whether a control's score is computed for every event on latentqa.activations (latentqa.control-scores).
ALTER TABLE control_jobs ADD COLUMN scoring boolean NOT NULL DEFAULT true;
