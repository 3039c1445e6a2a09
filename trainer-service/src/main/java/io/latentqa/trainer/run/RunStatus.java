package io.latentqa.trainer.run;

/** Where a training run is in its life. */
public enum RunStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED
}
