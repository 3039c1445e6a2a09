package io.latentqa.dataset.generate;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.latentqa.dataset.record.Message;

/**
 * Value of a record on {@code latentqa.capture-requests} (key: the job id): asks capture-service for the
 * target model's completion of a dialog under a control. The contract is in docs/dataset-service.md.
 *
 * @param requestId "&lt;jobId&gt;:&lt;item&gt;": capture-service copies it into its answer; sending a request
 *        again (a retry, a resumed job) keeps the id, so answers can be matched and deduplicated
 * @param jobId the dataset job
 * @param messages the dialog to complete, without the control (chat models: one user turn; text models: the
 *        story opening and prompt in one user message, to be continued as plain text)
 * @param control the system prompt to put first, or null (text models; grammar controls)
 * @param settings how to generate
 * @param layers blocks whose activations capture-service should publish on latentqa.activations, or absent
 * @param replyTopic where to answer: latentqa.capture-results
 */
public record CaptureRequest(String requestId, String jobId, List<Message> messages,
        @JsonInclude(JsonInclude.Include.ALWAYS) String control, Settings settings,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> layers, String replyTopic) {

    /**
     * Generation settings.
     *
     * @param maxTokens most tokens to generate
     * @param temperature 0 for greedy decoding
     * @param topP nucleus sampling mass (1.0: off)
     * @param seed sampling seed
     */
    public record Settings(int maxTokens, double temperature, double topP, long seed) {
    }
}
