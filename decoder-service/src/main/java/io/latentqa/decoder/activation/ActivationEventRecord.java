package io.latentqa.decoder.activation;

import java.time.OffsetDateTime;

/**
 * An activation event as logged in {@code activation_events}: its metadata, not its tensors.
 *
 * @param id the log's own id
 * @param requestId the request id (the record key)
 * @param modelId the model that produced the activations
 * @param modelDigest digest of that model's weights
 * @param layers captured block indices, comma-separated
 * @param positions which positions the rows are ({@code all}, {@code last:K}, {@code range:A:B}, {@code mean})
 * @param source {@code traffic}, {@code dataset} or {@code eval}
 * @param tokenCount rows per layer
 * @param dModel width of each row
 * @param hasDialog whether the event carried its dialog
 * @param blobUri where the event's bytes are when it arrived as a claim check, else null
 * @param valueBytes size of the Kafka value
 * @param kafkaPartition partition of latentqa.activations it was read from
 * @param kafkaOffset offset in that partition
 * @param createdAt capture time
 * @param receivedAt when this service logged it
 */
public record ActivationEventRecord(long id, String requestId, String modelId, String modelDigest, String layers,
        String positions, String source, int tokenCount, int dModel, boolean hasDialog, String blobUri,
        int valueBytes, int kafkaPartition, long kafkaOffset, OffsetDateTime createdAt, OffsetDateTime receivedAt) {
}
