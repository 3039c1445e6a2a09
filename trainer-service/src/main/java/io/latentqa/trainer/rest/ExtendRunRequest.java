package io.latentqa.trainer.rest;

/**
 * Body of {@code POST /v1/runs/{id}/extend}.
 *
 * @param steps the run's new total of optimizer steps, more than it has taken
 */
public record ExtendRunRequest(Integer steps) {
}
