package io.latentqa.capture.generate;

import java.util.Map;

/**
 * What one request got from the model.
 *
 * @param promptIds     the prompt's token ids
 * @param completionIds every sampled token (the stop token, when one ended the row, is the last)
 * @param text          the completion text (without stop token and stop string)
 * @param finishReason  why it ended
 * @param capturedIds   the tokens whose residuals were captured: the prompt, then every completion token
 *                      (each was fed to the model once more, so its residual exists); empty without capture
 * @param residuals     captured block -> residual stream after it at {@code capturedIds}, (T, d) row-major
 * @param dModel        d
 * @param batchRows     how many requests shared this one's forward passes
 */
public record GenerationResult(int[] promptIds, int[] completionIds, String text, FinishReason finishReason,
        int[] capturedIds, Map<Integer, float[]> residuals, int dModel, int batchRows) {
}
