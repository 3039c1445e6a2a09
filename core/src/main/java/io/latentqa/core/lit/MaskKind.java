package io.latentqa.core.lit;

/**
 * Which part of the read prompt is hidden from the decoder (method doc §2.4, generalised in §12).
 * Masked positions are dropped from the vectors shown; the turn start right after the span is shown as
 * the constant reference vector {@code A[1]}.
 */
public enum MaskKind {
    /** The system turn: from its turn start up to the first user turn start (exclusive). */
    SYSTEM,
    /**
     * From the first user turn start up to the second user turn start (exclusive): the control turn and
     * the model's reply to it. With fewer than two user turns nothing is masked (the control kind).
     */
    USER,
    /** Nothing is masked: reading, steering, scoring. */
    NONE
}
