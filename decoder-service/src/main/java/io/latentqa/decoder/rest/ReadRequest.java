package io.latentqa.decoder.rest;

import java.util.List;

import io.latentqa.core.tokenizer.ChatMessage;

/**
 * POST /v1/read as JSON. Give the activations as {@code activationId} (an event in the stream cache) or as a
 * {@code dialog} to capture first; ask {@code question} or {@code questions}. An event can also be uploaded:
 * POST the safetensors bytes as application/octet-stream with the same fields as query parameters.
 *
 * @param activationId  request id of a recent event on latentqa.activations
 * @param dialog        messages to capture first (instead of activationId)
 * @param question      one question
 * @param questions     several questions (answered in one batch)
 * @param maxNewTokens  answer budget (default 100)
 * @param temperature   0 (default) is greedy
 * @param topP          nucleus mass when sampling (default 1)
 * @param seed          sampling seed (default 0)
 * @param adapter       decoder adapter id, {@code base}, or absent for the newest published
 */
public record ReadRequest(String activationId, List<ChatMessage> dialog, String question, List<String> questions,
        Integer maxNewTokens, Float temperature, Float topP, Long seed, String adapter) {
}
