package io.latentqa.core.steer;

import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;

import java.util.EnumSet;
import java.util.stream.IntStream;

/**
 * How a control trains its steering adapter (method doc §6).
 *
 * @param readLayer    block whose output the decoder reads (the decoder's own read layer)
 * @param writeLayer   block after which the decoder takes the vectors (0 in LIT)
 * @param lora         the steering LoRA on the target: its layers must be blocks 0 … readLayer at most
 * @param learningRate Adam's step size
 * @param perLayer     false: one loss at {@code readLayer}, back-propagated through every steered block;
 *                     true: a loss at the output of every steered block, the stream detached between
 *                     blocks, so each block is trained by its own loss only
 * @param seed         seeds the LoRA's initialisation and its dropout
 */
public record SteeringConfig(int readLayer, int writeLayer, LoraConfig lora, double learningRate, boolean perLayer,
                             long seed) {

    /** Adam's moment decays and epsilon: PyTorch's defaults, as control.py uses them. */
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-8;

    public SteeringConfig {
        if (lora.layers().isEmpty()) {
            throw new IllegalArgumentException("the steering LoRA needs its layers (blocks 0 … read layer), not every block");
        }
        if (lora.layers().last() > readLayer) {
            throw new IllegalArgumentException("steering LoRA layers " + lora.layers() + " reach past the read layer " + readLayer
                    + ": blocks after it cannot change what the decoder reads");
        }
        if (lora.targets().contains(LoraTarget.LM_HEAD)) {
            throw new IllegalArgumentException("the steering LoRA cannot adapt lm_head: no loss reaches it (method doc §6)");
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
    }

    /**
     * The method's control recipe: r 16, alpha 32, dropout 0.1 on q, k, v, o, gate, up and down of blocks
     * 0 … readLayer, Adam at 1e-4, one loss at the read layer, seed 42.
     */
    public static SteeringConfig defaults(int readLayer, int writeLayer) {
        return new SteeringConfig(readLayer, writeLayer, defaultLora(readLayer), 1e-4, false, 42);
    }

    /** The method's steering LoRA for a read layer. */
    public static LoraConfig defaultLora(int readLayer) {
        return LoraConfig.of(16, 32f, 0.1f, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.K_PROJ, LoraTarget.V_PROJ,
                        LoraTarget.O_PROJ, LoraTarget.GATE_PROJ, LoraTarget.UP_PROJ, LoraTarget.DOWN_PROJ))
                .withLayers(IntStream.rangeClosed(0, readLayer).boxed().toList());
    }

    /** The blocks whose output carries a loss: the read layer, or every steered block in per-layer mode. */
    public int[] lossLayers() {
        return perLayer ? lora.layers().stream().mapToInt(Integer::intValue).toArray() : new int[] {readLayer};
    }
}
