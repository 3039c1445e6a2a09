package io.latentqa.capture.chat;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.latentqa.capture.activation.CapturedEvent;

/**
 * OpenAI's {@code chat.completion} object, plus the {@code latentqa} extension object (clients that do
 * not know it ignore it).
 */
public record ChatCompletionResponse(
        String id,
        String object,
        long created,
        String model,
        @JsonProperty("system_fingerprint") String systemFingerprint,
        List<Choice> choices,
        Usage usage,
        LatentQa latentqa) {

    public static final String OBJECT = "chat.completion";

    /** One answer. */
    public record Choice(int index, Message message, Object logprobs,
            @JsonProperty("finish_reason") String finishReason) {
    }

    /** The assistant's message. */
    public record Message(String role, String content, String refusal) {
    }

    /** Token counts. */
    public record Usage(@JsonProperty("prompt_tokens") int promptTokens,
            @JsonProperty("completion_tokens") int completionTokens,
            @JsonProperty("total_tokens") int totalTokens) {

        public static Usage of(int prompt, int completion) {
            return new Usage(prompt, completion, prompt + completion);
        }
    }

    /**
     * What LatentQA did with the request.
     *
     * @param requestId       the request id (Kafka key and id of the activation event)
     * @param steering        the steering adapter applied, or null
     * @param batchRows       requests that shared this one's forward passes
     * @param activationEvent the event, or null when capture was off
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LatentQa(String requestId, String steering, int batchRows, CapturedEvent activationEvent) {
    }
}
