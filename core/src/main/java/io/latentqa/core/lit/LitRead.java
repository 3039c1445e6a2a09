package io.latentqa.core.lit;

/**
 * The target side of a LatentQA example (method doc §12): the read ids and which of their activations
 * the decoder is shown. Arrays are not copied; treat them as read-only.
 *
 * @param ids         the rendered read prompt's token ids, length L
 * @param mask        the masked span, or null when nothing is masked
 * @param vectorIndex the read positions whose vectors are shown, in order: {@code [1, mask.end+1, …, L−1]}
 *                    when masked, {@code [1, …, L−1]} when not; length n
 */
public record LitRead(int[] ids, MaskSpan mask, int[] vectorIndex) {

    /** L, the number of read tokens. */
    public int length() {
        return ids.length;
    }

    /** n, the number of vectors shown (and of placeholders in the write input). */
    public int vectorCount() {
        return vectorIndex.length;
    }

    public boolean masked() {
        return mask != null;
    }

    /**
     * Gathers the shown vectors from the read activations.
     *
     * @param activations (L, d) row-major, the residual stream after the read block
     * @param dModel      d
     * @return (n, d) row-major, a new array
     */
    public float[] gather(float[] activations, int dModel) {
        if (activations.length != (long) ids.length * dModel) {
            throw new IllegalArgumentException("read activations hold " + activations.length
                    + " floats, expected L*d = " + ids.length + "*" + dModel);
        }
        float[] out = new float[vectorIndex.length * dModel]; // (n, d)
        for (int i = 0; i < vectorIndex.length; i++) {
            System.arraycopy(activations, vectorIndex[i] * dModel, out, i * dModel, dModel);
        }
        return out;
    }
}
