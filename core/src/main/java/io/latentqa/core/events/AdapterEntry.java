package io.latentqa.core.events;

import java.time.OffsetDateTime;

/**
 * An adapter as a service knows it from latentqa.model-events (one row of an {@link AdapterCatalog}).
 *
 * @param adapterId the adapter id
 * @param status {@code published} (usable) or {@code retired}
 * @param digest {@code sha256:<hex>} of the adapter file
 * @param baseModelId the model it reads (decoder) or steers (steering)
 * @param baseModelDigest digest of that model's weights
 * @param runId the training run or control job that made it
 * @param uri where the adapter file is
 * @param publishedAt when it was last published
 * @param retiredAt when it was retired, or null
 * @param updatedAt when this entry last changed
 */
public record AdapterEntry(String adapterId, String status, String digest, String baseModelId,
        String baseModelDigest, String runId, String uri, OffsetDateTime publishedAt, OffsetDateTime retiredAt,
        OffsetDateTime updatedAt) {
}
