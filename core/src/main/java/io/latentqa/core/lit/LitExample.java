package io.latentqa.core.lit;

/**
 * One LatentQA example: a read prompt for the target and a write prompt for the decoder, with
 * {@code read.vectorCount() == write.placeholderPositions().length}. Built by {@link LitPromptBuilder}.
 */
public record LitExample(LitRead read, LitWrite write) {

    public LitExample {
        if (read.vectorCount() != write.placeholderPositions().length) {
            throw new IllegalArgumentException("read shows " + read.vectorCount() + " vectors but the write input has "
                    + write.placeholderPositions().length + " placeholders");
        }
    }

    /** n, the number of vectors written into the decoder. */
    public int vectorCount() {
        return read.vectorCount();
    }
}
