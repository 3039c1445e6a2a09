package io.latentqa.trainer.lit;

/**
 * What one optimizer step did.
 *
 * @param step         optimizer steps done after this one (1-based)
 * @param loss         mean of the micro-batch losses (token-mean cross-entropy, method doc §2.6)
 * @param gradientNorm global L2 norm of the accumulated gradient, before clipping
 * @param learningRate the learning rate used
 * @param tokens       read + write tokens processed (no padding)
 * @param seconds      wall time of the step
 */
public record StepResult(int step, double loss, double gradientNorm, double learningRate, long tokens, double seconds) {

    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }
}
