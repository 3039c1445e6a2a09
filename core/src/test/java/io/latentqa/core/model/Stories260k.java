package io.latentqa.core.model;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.io.Llama2cCheckpoint;

import java.nio.file.Path;

/** Test helper: Karpathy's stories260K (5 blocks, dim 64, GQA 8:4, vocab 512) from the shared folder. */
public final class Stories260k {

    private Stories260k() {
    }

    public static Path checkpoint() {
        return SharedFiles.stories260kDir().resolve("stories260K.bin");
    }

    /** Loads the model with half-split (Hugging Face) q/k rows. */
    public static Llama load(DataType dtype) {
        try (Llama2cCheckpoint source = Llama2cCheckpoint.open(checkpoint())) {
            return Llama.load(source, dtype);
        }
    }

    /** A token sequence from the story the model tells (BOS first). */
    public static int[] story(int length) {
        int[] tokens = {1, 403, 407, 261, 378, 430, 261, 280, 327, 291, 283, 1, 266, 270, 300, 401, 358, 333, 280, 459,
                310, 263, 444, 299, 265, 289, 341, 293, 346, 297, 259, 302, 281, 301, 318, 291};
        if (length > tokens.length) {
            throw new IllegalArgumentException("at most " + tokens.length + " tokens");
        }
        return java.util.Arrays.copyOf(tokens, length);
    }
}
