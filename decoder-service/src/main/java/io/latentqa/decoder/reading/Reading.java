package io.latentqa.decoder.reading;

import io.latentqa.core.generate.Generation;

/**
 * The decoder's answer to one question about one set of vectors.
 *
 * @param question   the question
 * @param answer     the generated text (without the end-of-turn token)
 * @param tokenIds   the generated ids (the stop token, if one ended the answer, is the last)
 * @param tokens     the text of each generated id
 * @param logProbs   log-probability of each generated id under the decoder (log-softmax of raw logits)
 * @param stopReason why generation ended
 * @param adapter    the decoder adapter that answered, or null for the base model (Patchscope baseline)
 */
public record Reading(String question, String answer, int[] tokenIds, String[] tokens, float[] logProbs,
        Generation.StopReason stopReason, String adapter) {

    /** Sum of the token log-probabilities. */
    public double totalLogProb() {
        double sum = 0;
        for (float logProb : logProbs) {
            sum += logProb;
        }
        return sum;
    }
}
