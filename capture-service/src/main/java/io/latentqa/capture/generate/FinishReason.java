package io.latentqa.capture.generate;

import java.util.Locale;

/** Why a completion ended, spelled as OpenAI's {@code finish_reason}. */
public enum FinishReason {
    /** A stop token or a stop string. */
    STOP,
    /** max_tokens, or the model's context, was reached. */
    LENGTH,
    /** The client went away (never reported to it). */
    CANCELLED;

    /** {@code stop}, {@code length}, {@code cancelled}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
