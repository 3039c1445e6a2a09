package io.latentqa.dataset.job;

/** Thrown at a record boundary of a job whose cancel was requested. */
public class JobCancelledException extends RuntimeException {

    public JobCancelledException(String jobId) {
        super("job " + jobId + " was cancelled");
    }
}
