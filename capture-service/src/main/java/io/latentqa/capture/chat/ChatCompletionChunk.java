package io.latentqa.capture.chat;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** OpenAI's {@code chat.completion.chunk}: one server-sent event of a streamed answer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionChunk(
        String id,
        String object,
        long created,
        String model,
        @JsonProperty("system_fingerprint") String systemFingerprint,
        List<Choice> choices,
        ChatCompletionResponse.Usage usage,
        ChatCompletionResponse.LatentQa latentqa) {

    public static final String OBJECT = "chat.completion.chunk";

    /** The piece of the answer in this chunk. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(int index, Delta delta, Object logprobs,
            @JsonProperty("finish_reason") String finishReason) {
    }

    /** New text (and, in the first chunk, the role). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {
    }
}
