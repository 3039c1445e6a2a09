package io.latentqa.dataset.job;

import com.fasterxml.jackson.databind.JsonNode;

/** Runs one {@link JobType}. Implementations are CDI beans; the runner finds them by {@link #type()}. */
public interface JobHandler {

    JobType type();

    /**
     * Checks the parameters before the job is queued, so that a job that cannot run is refused with a 400.
     *
     * @param params the {@code params} object of the request (never null; {@code {}} when absent)
     * @throws InvalidParamsException saying what is wrong and what is allowed
     */
    void validate(JsonNode params);

    /**
     * Runs the job, or resumes it after a restart from what is already in the database. Calls
     * {@link JobContext#checkpoint()} at every record boundary.
     *
     * @return how it ended
     * @throws JobCancelledException when a cancel was requested (after undoing its uncommitted work)
     * @throws JobStoppedException when the service shuts down; the job stays RUNNING and resumes at the next start
     * @throws Exception anything else fails the job, with the exception's message
     */
    JobOutcome run(JobContext context) throws Exception;
}
