package io.latentqa.dataset.generate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Value of a record on {@code latentqa.capture-results} (key: the job id): capture-service's answer to a
 * {@link CaptureRequest}. Unknown fields are ignored, so capture-service may add some.
 *
 * @param requestId the request's id, copied
 * @param jobId the request's job id, copied
 * @param completion the target model's completion (absent on error)
 * @param modelId the target model
 * @param modelDigest digest of its weights
 * @param settings the settings actually used
 * @param activationEventId request id of the activation event published on latentqa.activations, if any
 * @param error why there is no completion; the request is retried up to the job's maxAttempts
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CaptureResult(String requestId, String jobId, String completion, String modelId, String modelDigest,
        JsonNode settings, String activationEventId, String error) {
}
