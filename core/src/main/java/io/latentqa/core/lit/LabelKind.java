package io.latentqa.core.lit;

/** Which tokens of a write input carry the loss (method doc §2.6, §12). */
public enum LabelKind {
    /** Every {@code reflect} turn's content and end-of-turn token: "Sure, I've analyzed the assistant." and the answer. */
    TRAIN,
    /** The last {@code reflect} turn only (answer + end-of-turn): scoring and steering. */
    ANSWER_ONLY
}
