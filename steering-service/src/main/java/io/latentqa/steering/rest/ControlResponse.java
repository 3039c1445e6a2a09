package io.latentqa.steering.rest;

import java.time.OffsetDateTime;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.latentqa.steering.control.ControlJob;

/**
 * A control job as the API shows it.
 *
 * @param losses  [step, control loss] of every step taken (the loss curve)
 * @param scoring whether the control is scored on latentqa.activations (latentqa.control-scores)
 */
public record ControlResponse(String id, String status, String control, JsonNode qa, JsonNode spec, int step, int totalSteps,
                              String message, JsonNode result, String adapterId, List<double[]> losses,
                              OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                              boolean scoring) {

    static ControlResponse of(ControlJob job, List<double[]> losses) {
        return new ControlResponse(job.id(), job.status().name(), job.controlText(), job.qa(), job.spec(), job.step(),
                job.totalSteps(), job.message(), job.result(), job.adapterId(), losses, job.createdAt(), job.startedAt(),
                job.finishedAt(), job.scoring());
    }
}
