package io.latentqa.trainer.rest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Body of {@code POST /v1/runs}.
 *
 * @param id the run id, or null to have one made
 * @param spec the run spec (data filter, hyperparameters), a JSON object
 */
public record CreateRunRequest(String id, JsonNode spec) {
}
