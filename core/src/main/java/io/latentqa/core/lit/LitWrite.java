package io.latentqa.core.lit;

/**
 * The decoder side of a LatentQA example (method doc §12): the write ids, where the n vectors go, and
 * which tokens carry the loss. Arrays are not copied; treat them as read-only.
 *
 * @param ids                  write token ids, length W
 * @param placeholderPositions the n positions of the {@code ?} placeholders, ascending
 * @param trainLabels          (W) the target id at positions that carry the training loss (every
 *                             {@code reflect} turn's content and its end-of-turn token), −100 elsewhere;
 *                             null for an open (reading) write input
 * @param answerLabels         (W) as {@code trainLabels} but on the last {@code reflect} turn only
 *                             (scoring, steering); null for an open write input
 * @param question             the question asked about the activations
 * @param answer               the answer, or null for an open write input (ids end with the open reflect turn)
 */
public record LitWrite(int[] ids, int[] placeholderPositions, int[] trainLabels, int[] answerLabels,
                       String question, String answer) {

    /** Label value of positions without loss (PyTorch's {@code ignore_index}). */
    public static final int IGNORE = -100;

    /** W, the number of write tokens. */
    public int length() {
        return ids.length;
    }

    /** Whether this is a reading input, ending with the open {@code reflect} turn. */
    public boolean open() {
        return answer == null;
    }

    /**
     * The labels of one kind.
     *
     * @throws IllegalStateException for an open write input, which has no labels
     */
    public int[] labels(LabelKind kind) {
        if (open()) {
            throw new IllegalStateException("an open (reading) write input has no labels; build it with an answer");
        }
        return kind == LabelKind.TRAIN ? trainLabels : answerLabels;
    }
}
