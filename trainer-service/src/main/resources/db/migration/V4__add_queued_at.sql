-- The queue's order (issue 6): a run resumed or extended by hand joins the back of the queue, while a run
-- requeued because its process died keeps its place. created_at stays the run's creation time.
ALTER TABLE runs ADD COLUMN queued_at timestamptz;
UPDATE runs SET queued_at = created_at;
ALTER TABLE runs ALTER COLUMN queued_at SET NOT NULL, ALTER COLUMN queued_at SET DEFAULT now();
CREATE INDEX runs_by_queue ON runs (status, queued_at);
