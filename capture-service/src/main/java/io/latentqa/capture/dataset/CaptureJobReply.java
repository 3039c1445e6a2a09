package io.latentqa.capture.dataset;

/**
 * The reply to a capture job, on the job's reply topic (key: job id).
 *
 * @param requestId         the job's request id
 * @param jobId             the job id
 * @param completion        the generated answer, or null on error
 * @param modelId           the model that answered
 * @param modelDigest       sha256 of its weights
 * @param settings          the settings actually used (seed included)
 * @param activationEventId id of the activation event on latentqa.activations (the request id), or null
 *                          when none was published
 * @param error             why the job failed, or null
 * @param finishReason      {@code stop} or {@code length}, or null on error
 */
public record CaptureJobReply(String requestId, String jobId, String completion, String modelId, String modelDigest,
        CaptureJob.Settings settings, String activationEventId, String error, String finishReason) {
}
