package io.latentqa.dataset.job;

/** Thrown at a record boundary while the service shuts down: the job stays RUNNING and resumes at the next start. */
public class JobStoppedException extends RuntimeException {

    public JobStoppedException(String jobId) {
        super("job " + jobId + " stopped by shutdown; it resumes when the service starts again");
    }
}
