package io.latentqa.dataset.job;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A row of {@code jobs}.
 *
 * @param id the job id (also the Kafka key of its capture requests)
 * @param type what the job does
 * @param status where it is
 * @param params the parameters it was submitted with
 * @param total units of work (records, controls, dialogs) once known, else 0
 * @param done units finished so far, failed ones included
 * @param errorCount errors so far
 * @param errors the first errors (a JSON array of {@link JobError})
 * @param result what the job did (counts), once finished
 * @param message a summary of why it failed or what it waits for
 * @param cancelRequested a cancel was asked for; the job stops at its next record boundary
 * @param runs how many times a runner started it (more than 1 after a resume)
 */
public record Job(String id, JobType type, JobStatus status, JsonNode params, int total, int done, int errorCount,
        JsonNode errors, JsonNode result, String message, boolean cancelRequested, int runs,
        OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime updatedAt, OffsetDateTime finishedAt) {
}
