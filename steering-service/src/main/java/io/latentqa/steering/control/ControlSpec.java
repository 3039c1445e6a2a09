package io.latentqa.steering.control;

import java.util.List;

import io.latentqa.core.grammar.TemplateQa;
import io.latentqa.core.lora.LoraConfig;

/**
 * A control job as queued, every default filled in (method doc §6).
 *
 * @param id           the job id
 * @param controlText  the control in words: the prompt of a control file, or the goal
 * @param qa           the QA pairs the decoder is trained to answer
 * @param prompts      the uploaded prompt pool, or null for the built-in one (the user turns of train/system.json)
 * @param samples      samples drawn (each a prompt read one of two ways and one QA pair)
 * @param steps        Adam steps, one sample each (cycling through the samples when there are more steps)
 * @param learningRate Adam's step size
 * @param lora         the steering LoRA (layers 0 … read layer)
 * @param perLayer     a loss after every steered block, the stream detached between blocks
 * @param decoder      the decoder adapter that is the loss, or {@link #BASE_DECODER}
 * @param seed         LoRA initialisation, dropout and the draw of the samples
 * @param heldOut      held-out prompts for the control loss and the generations before and after
 * @param maxNewTokens budget of each generation before and after
 * @param score        whether the control is scored on every event of latentqa.activations
 */
public record ControlSpec(String id, String controlText, List<TemplateQa> qa, List<PoolPrompt> prompts, int samples,
                          int steps, double learningRate, LoraConfig lora, boolean perLayer, String decoder, long seed,
                          int heldOut, int maxNewTokens, boolean score) {

    /** The decoder name that means the base model without an adapter (the untrained-decoder control). */
    public static final String BASE_DECODER = "base";

    /**
     * One prompt of an uploaded pool.
     *
     * @param prompt   the user turn
     * @param response the assistant's answer for the (b) read, or null to let the target answer
     */
    public record PoolPrompt(String prompt, String response) {
    }
}
