package io.latentqa.core.model;

/**
 * The blueprint of a Llama-family transformer: sizes and constants, no weights.
 *
 * <p>Weights held by the engine are always in the Hugging Face layout (q/k rows half-split per
 * head); loaders of llama.cpp (GGUF) and llama2.c files undo their permutation at load, so
 * {@link #ropeStyle()} tells how the weights this config travels with must be rotated.
 *
 * @param dim           d_model, the width of the residual stream
 * @param hiddenDim     width of the SwiGLU feed-forward layer
 * @param nLayers       number of transformer blocks
 * @param nHeads        number of query heads
 * @param nKvHeads      number of key/value heads (grouped-query attention when fewer than nHeads)
 * @param vocabSize     number of token ids
 * @param contextLength longest sequence the model was trained on
 * @param rmsNormEps    epsilon inside RMSNorm
 * @param ropeTheta     base of the rotary frequencies
 * @param ropeStyle     which pairs of a head are rotated together
 * @param tiedEmbeddings whether the output head reuses the token embedding
 */
public record LlamaConfig(
        int dim,
        int hiddenDim,
        int nLayers,
        int nHeads,
        int nKvHeads,
        int vocabSize,
        int contextLength,
        float rmsNormEps,
        float ropeTheta,
        RopeStyle ropeStyle,
        boolean tiedEmbeddings) {

    /** How rotary embeddings pair the dimensions of a head. */
    public enum RopeStyle {
        /** (2i, 2i+1): llama2.c, and how llama.cpp stores q/k. */
        ADJACENT_PAIRS,
        /** (i, i + headSize/2): Hugging Face transformers. */
        HALF_SPLIT
    }

    public LlamaConfig {
        if (dim <= 0 || nLayers <= 0 || nHeads <= 0 || nKvHeads <= 0 || vocabSize <= 0) {
            throw new IllegalArgumentException("model sizes must be positive: " + this);
        }
        if (dim % nHeads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not a multiple of nHeads " + nHeads);
        }
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        }
    }

    public int headSize() {
        return dim / nHeads;
    }

    public int kvDim() {
        return nKvHeads * headSize();
    }

    /** How many query heads share one key/value head. */
    public int kvMul() {
        return nHeads / nKvHeads;
    }

    public LlamaConfig withRopeStyle(RopeStyle style) {
        return new LlamaConfig(dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, contextLength,
                rmsNormEps, ropeTheta, style, tiedEmbeddings);
    }
}
