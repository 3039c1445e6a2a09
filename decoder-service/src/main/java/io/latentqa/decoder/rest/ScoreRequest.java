package io.latentqa.decoder.rest;

import java.util.List;

import io.latentqa.core.tokenizer.ChatMessage;

/**
 * POST /v1/score: the decoder's log-likelihood of candidate answers (multiple choice). Activations as in
 * {@link ReadRequest} (upload: application/octet-stream with these fields as query parameters, answer repeated).
 *
 * @param activationId request id of a recent event
 * @param dialog       messages to capture first
 * @param question     the question
 * @param answers      the candidates
 * @param normalise    rank by log-likelihood minus the same answer's log-likelihood without activations
 * @param adapter      decoder adapter id, {@code base}, or absent for the newest published
 */
public record ScoreRequest(String activationId, List<ChatMessage> dialog, String question, List<String> answers,
        Boolean normalise, String adapter) {
}
