package io.latentqa.dataset.job;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Body of {@code POST /v1/jobs}.
 *
 * @param type import-latentqa, generate-controls, generate-dialogs, generate-qa or split
 * @param params the job type's parameters (docs/dataset-service.md)
 */
public record CreateJobRequest(String type, JsonNode params) {
}
