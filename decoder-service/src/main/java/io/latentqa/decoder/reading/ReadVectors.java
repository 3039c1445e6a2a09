package io.latentqa.decoder.reading;

/**
 * The vectors a decoder is shown for one activation event (method doc §5, §12, unmasked): the read-layer
 * residuals A[1 … T−1] of the event's dialog, never position 0 (the attention sink).
 *
 * @param activationId the event's request id (for readings), or null for an anonymous upload
 * @param modelId      the model that produced them
 * @param vectors      (n, d) row-major float32
 * @param count        n = T − 1
 * @param dModel       d
 */
public record ReadVectors(String activationId, String modelId, float[] vectors, int count, int dModel) {

    public ReadVectors {
        if (count < 1 || vectors.length != count * dModel) {
            throw new IllegalArgumentException("read vectors must be (n, d) with n >= 1, got " + vectors.length
                    + " floats for n=" + count + ", d=" + dModel);
        }
    }
}
