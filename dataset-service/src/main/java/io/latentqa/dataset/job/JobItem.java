package io.latentqa.dataset.job;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A row of {@code job_items}: one planned unit of work of a job that resumes item by item.
 *
 * @param jobId the job
 * @param key the item's key within the job (a capture request id is {@code <jobId>:<key>})
 * @param ordinal the item's place in the plan
 * @param status PENDING (to do), SENT (waiting for an answer), DONE or FAILED
 * @param payload what the item needs to run, fixed when the job was planned
 * @param attempts tries so far
 * @param sentAt when it was last sent, for SENT items
 * @param error the last error, if any
 */
public record JobItem(String jobId, String key, int ordinal, Status status, JsonNode payload, int attempts,
        OffsetDateTime sentAt, String error) {

    public enum Status {
        PENDING, SENT, DONE, FAILED
    }

    /** An item to plan: its key and payload. */
    public record Planned(String key, JsonNode payload) {
    }
}
