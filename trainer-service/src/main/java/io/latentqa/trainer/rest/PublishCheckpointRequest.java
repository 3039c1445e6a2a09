package io.latentqa.trainer.rest;

/**
 * Body of {@code POST /v1/runs/{id}/publish}.
 *
 * @param step the step of one of the run's checkpoints
 */
public record PublishCheckpointRequest(Integer step) {
}
