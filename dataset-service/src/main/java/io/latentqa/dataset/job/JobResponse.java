package io.latentqa.dataset.job;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job as the API shows it.
 *
 * @param progress units done (failed ones included) of the total, and errors so far
 * @param errors the first per-record errors (file and position, or item and label, and a message)
 * @param result counts of what the job did, once it finished
 * @param message why it failed, or what it waits for
 */
public record JobResponse(String id, String type, JobStatus status, JsonNode params, Progress progress,
        JsonNode errors, JsonNode result, String message, boolean cancelRequested, int runs,
        OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime updatedAt, OffsetDateTime finishedAt) {

    /**
     * @param done units finished so far (failed ones included)
     * @param total units in all, 0 until known
     * @param errors errors so far
     */
    public record Progress(int done, int total, int errors) {
    }

    public static JobResponse of(Job job) {
        return new JobResponse(job.id(), job.type().wireName(), job.status(), job.params(),
                new Progress(job.done(), job.total(), job.errorCount()), job.errors(), job.result(), job.message(),
                job.cancelRequested(), job.runs(), job.createdAt(), job.startedAt(), job.updatedAt(), job.finishedAt());
    }
}
