package io.latentqa.dataset.capture;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A dialog captured for a dataset: an activation event with source=dataset, as stored in {@code captures}.
 *
 * @param requestId the request id (the record key)
 * @param modelId the model that produced the activations
 * @param modelDigest digest of that model's weights
 * @param layers captured block indices, comma-separated
 * @param positions which positions the rows are
 * @param tokenCount rows per layer
 * @param dModel width of each row
 * @param dialog the dialog (JSON), or null when the capture was redacted
 * @param blobUri where the event's bytes are when it arrived as a claim check, else null
 * @param createdAt capture time
 * @param receivedAt when this service stored it
 */
public record Capture(String requestId, String modelId, String modelDigest, String layers, String positions,
        int tokenCount, int dModel, JsonNode dialog, String blobUri, OffsetDateTime createdAt,
        OffsetDateTime receivedAt) {
}
