package io.latentqa.core.generate;

import java.util.Arrays;

/**
 * What was generated for one row.
 *
 * @param tokens     the new token ids (the stop token, if one ended the row, is the last)
 * @param logProbs   log-probability of each chosen token under the model's own distribution
 *                   (log-softmax of the raw logits: no temperature, no top-p), one per token
 * @param stopReason why the row ended
 */
public record Generation(int[] tokens, float[] logProbs, StopReason stopReason) {

    /** Why a row stopped. */
    public enum StopReason {
        /** The model emitted one of the stop tokens. */
        STOP_TOKEN,
        /** maxNewTokens were generated. */
        MAX_TOKENS,
        /** The model's context length was reached. */
        CONTEXT_FULL
    }

    public Generation {
        tokens = tokens.clone();
        logProbs = logProbs.clone();
    }

    /** Sum of the log-probabilities. */
    public double totalLogProb() {
        double sum = 0;
        for (float logProb : logProbs) {
            sum += logProb;
        }
        return sum;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Generation that && Arrays.equals(tokens, that.tokens)
                && Arrays.equals(logProbs, that.logProbs) && stopReason == that.stopReason;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens) * 31 + stopReason.hashCode();
    }

    @Override
    public String toString() {
        return "Generation[tokens=" + Arrays.toString(tokens) + ", stopReason=" + stopReason + "]";
    }
}
