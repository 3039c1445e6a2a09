package io.latentqa.capture.adapter;

import java.time.OffsetDateTime;

/**
 * A steering adapter as capture knows it from latentqa.model-events.
 *
 * @param adapterId the adapter id
 * @param status {@code published} (usable) or {@code retired}
 * @param digest {@code sha256:<hex>} of the adapter file
 * @param baseModelId the model it steers
 * @param baseModelDigest digest of that model's weights
 * @param runId the control job that made it
 * @param uri where the adapter file is
 * @param publishedAt when it was last published
 * @param retiredAt when it was retired, or null
 * @param updatedAt when this entry last changed
 */
public record SteeringAdapter(String adapterId, String status, String digest, String baseModelId,
        String baseModelDigest, String runId, String uri, OffsetDateTime publishedAt, OffsetDateTime retiredAt,
        OffsetDateTime updatedAt) {
}
