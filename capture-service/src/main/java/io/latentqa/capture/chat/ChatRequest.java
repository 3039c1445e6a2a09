package io.latentqa.capture.chat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.latentqa.core.tokenizer.ChatMessage;

/**
 * A parsed {@code POST /v1/chat/completions} body (OpenAI's chat completion request, the subset this
 * service implements, plus the {@code latentqa} extension object).
 *
 * @param model        the model asked for, or null
 * @param messages     the conversation, in order (never empty)
 * @param maxTokens    {@code max_completion_tokens} or {@code max_tokens}, or null for the service default
 * @param temperature  0 = greedy (OpenAI's default is 1)
 * @param topP         nucleus mass in (0, 1]
 * @param seed         the random seed, or null for a random one
 * @param stop         up to 4 stop strings
 * @param stream       answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk that carries only the usage
 * @param latentqa     the extension object, or null
 * @param steering     {@code latentqa.steering}: a steering adapter id, or null
 */
public record ChatRequest(String model, List<ChatMessage> messages, Integer maxTokens, float temperature, float topP,
        Long seed, List<String> stop, boolean stream, boolean includeUsage, JsonNode latentqa, String steering) {
}
