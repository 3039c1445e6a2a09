package io.latentqa.dataset.job;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a job ended when it ran to its end (cancel and shutdown end it otherwise).
 *
 * @param status SUCCEEDED or FAILED
 * @param result counts of what it did
 * @param message a summary for a failure, else null
 */
public record JobOutcome(JobStatus status, JsonNode result, String message) {

    public static JobOutcome succeeded(JsonNode result) {
        return new JobOutcome(JobStatus.SUCCEEDED, result, null);
    }

    public static JobOutcome failed(JsonNode result, String message) {
        return new JobOutcome(JobStatus.FAILED, result, message);
    }
}
