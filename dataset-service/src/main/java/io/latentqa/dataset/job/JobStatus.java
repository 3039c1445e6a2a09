package io.latentqa.dataset.job;

/** Where a job is in its life. QUEUED and RUNNING jobs are picked up again when the service starts. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    /** @return true once the job will not run again */
    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
