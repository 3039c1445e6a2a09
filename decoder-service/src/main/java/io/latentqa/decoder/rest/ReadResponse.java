package io.latentqa.decoder.rest;

import java.util.List;

/**
 * The answers of POST /v1/read.
 *
 * @param activationId the event read (null for a captured dialog)
 * @param modelId      the model the activations came from
 * @param adapter      the decoder that answered ({@code base}: the untrained base model, the Patchscope baseline)
 * @param readLayer    block the vectors were read after
 * @param writeLayer   block after which they replaced the decoder's stream
 * @param vectors      n, the number of vectors shown (T − 1)
 * @param answers      one per question, in order
 * @param elapsedMs    time spent reading
 */
public record ReadResponse(String activationId, String modelId, String adapter, int readLayer, int writeLayer,
        int vectors, List<Answer> answers, long elapsedMs) {

    /**
     * @param question   the question
     * @param answer     the decoder's answer
     * @param stopReason STOP_TOKEN, MAX_TOKENS or CONTEXT_FULL
     * @param tokens     the generated tokens with their log-probabilities
     */
    public record Answer(String question, String answer, String stopReason, List<Token> tokens) {
    }

    /**
     * @param id      token id
     * @param text    its text
     * @param logProb its log-probability under the decoder
     */
    public record Token(int id, String text, float logProb) {
    }
}
