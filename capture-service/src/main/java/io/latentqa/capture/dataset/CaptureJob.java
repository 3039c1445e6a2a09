package io.latentqa.capture.dataset;

import java.util.List;

import io.latentqa.core.tokenizer.ChatMessage;

/**
 * A record of latentqa.capture-requests (key: job id): a dataset job asks for one dialog to be answered
 * and captured (docs/capture-service.md, "Dataset jobs").
 *
 * @param requestId  id of this capture (event id and Kafka key of the activation event)
 * @param jobId      the dataset job (key of the request and of the reply)
 * @param messages   the dialog to answer
 * @param control    a system prompt put before the dialog, or null
 * @param settings   generation settings
 * @param layers     blocks to capture, or null for the service default
 * @param replyTopic where the reply goes
 */
public record CaptureJob(String requestId, String jobId, List<ChatMessage> messages, String control,
        Settings settings, List<Integer> layers, String replyTopic) {

    /**
     * Generation settings of a job; null fields take the defaults (service max tokens, temperature 1,
     * top-p 1, a random seed). The reply carries the values actually used.
     */
    public record Settings(Integer maxTokens, Float temperature, Float topP, Long seed) {
    }
}
