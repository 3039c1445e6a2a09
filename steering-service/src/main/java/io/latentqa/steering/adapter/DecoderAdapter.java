package io.latentqa.steering.adapter;

import java.time.OffsetDateTime;

/**
 * A decoder adapter as steering knows it from latentqa.model-events.
 *
 * @param adapterId the adapter id
 * @param status {@code published} (usable) or {@code retired}
 * @param digest {@code sha256:<hex>} of the adapter file
 * @param baseModelId the model it reads
 * @param baseModelDigest digest of that model's weights
 * @param runId the training run that made it
 * @param uri where the adapter file is
 * @param publishedAt when it was last published
 * @param retiredAt when it was retired, or null
 * @param updatedAt when this entry last changed
 */
public record DecoderAdapter(String adapterId, String status, String digest, String baseModelId,
        String baseModelDigest, String runId, String uri, OffsetDateTime publishedAt, OffsetDateTime retiredAt,
        OffsetDateTime updatedAt) {
}
