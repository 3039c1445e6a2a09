package io.latentqa.core.lit;

/**
 * A masked span of read positions, {@code start <= t < end}; {@code end} is the turn start right after the
 * span (method doc §12: the system turn is [0, 25) in the SmolLM2 worked example).
 */
public record MaskSpan(int start, int end) {

    public MaskSpan {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("mask span needs 0 <= start < end, got [" + start + ", " + end + ")");
        }
    }

    /** Number of masked positions (V in method doc §2.5). */
    public int length() {
        return end - start;
    }
}
