package io.latentqa.steering.control;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A control job as stored.
 *
 * @param id          the job id
 * @param status      where it is
 * @param controlText the control in words
 * @param qa          the QA pairs, [[question, answer], …]
 * @param spec        the request with every default filled in
 * @param step        steps taken
 * @param totalSteps  steps it takes
 * @param message     what it is doing, or why it ended
 * @param result      control loss and generations before and after, once it succeeded
 * @param adapterId   the steering adapter it published
 * @param scoring     whether its score is computed on latentqa.activations
 */
public record ControlJob(String id, ControlStatus status, String controlText, JsonNode qa, JsonNode spec, int step,
                         int totalSteps, String message, JsonNode result, String adapterId, OffsetDateTime createdAt,
                         OffsetDateTime startedAt, OffsetDateTime finishedAt, boolean scoring) {
}
