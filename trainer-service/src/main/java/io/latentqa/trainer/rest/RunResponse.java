package io.latentqa.trainer.rest;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;

import io.latentqa.trainer.run.Run;
import io.latentqa.trainer.run.RunProgress;
import io.latentqa.trainer.run.RunStatus;

/**
 * A training run as the API shows it, with its progress: optimizer steps done of the total, the latest
 * loss, tokens per second, the estimated seconds left, a message (queue position, error), and once it
 * succeeded the published adapter and the report folder (loss-curve.png, report.json).
 */
public record RunResponse(String id, String status, JsonNode spec, String source, OffsetDateTime createdAt,
        OffsetDateTime updatedAt, int step, Integer totalSteps, Double loss, Double tokensPerSecond, Double etaSeconds,
        String message, String adapterId, String adapterUri, String adapterDigest, String report) {

    static RunResponse of(Run run) {
        return of(run, null);
    }

    /** @param queueMessage replaces the stored message of a queued run (its place in the queue), or null */
    static RunResponse of(Run run, String queueMessage) {
        RunProgress p = run.progress();
        String message = run.status() == RunStatus.QUEUED && queueMessage != null ? queueMessage : p.message();
        return new RunResponse(run.id(), run.status().name(), run.spec(), run.source().column(), run.createdAt(),
                run.updatedAt(), p.step(), p.totalSteps(), p.loss(), p.tokensPerSecond(), p.etaSeconds(), message, p.adapterId(),
                p.adapterUri(), p.adapterDigest(), p.reportPath());
    }
}
