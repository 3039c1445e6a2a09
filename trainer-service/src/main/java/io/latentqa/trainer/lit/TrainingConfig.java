package io.latentqa.trainer.lit;

import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;

import java.util.EnumSet;

/**
 * Hyperparameters of one LIT training run (method doc §4, scaled to the model).
 *
 * @param readLayer       target block whose output is read (SmolLM2: 15 of 30)
 * @param writeLayer      decoder block after which the vectors replace the residual stream (0)
 * @param lora            the decoder adapter's shape
 * @param learningRate    peak learning rate
 * @param schedule        constant, or cosine decay per optimizer step after the warm-up
 * @param warmupSteps     linear warm-up steps (0 = none)
 * @param weightDecay     AdamW decoupled weight decay
 * @param beta1           AdamW first-moment decay
 * @param beta2           AdamW second-moment decay
 * @param epsilon         AdamW epsilon
 * @param batchSize       examples per micro-batch
 * @param gradAccum       micro-batches per optimizer step
 * @param clipNorm        clip gradients to this global L2 norm; 0 = off
 * @param epochs          passes over the data (used when {@code maxSteps} is 0)
 * @param maxSteps        optimizer steps; 0 = {@code epochs} full passes
 * @param seed            seeds adapter init, batch order and dropout
 * @param checkpointEvery save a checkpoint every this many optimizer steps (0 = only at the end)
 */
public record TrainingConfig(int readLayer, int writeLayer, LoraConfig lora, double learningRate, Schedule schedule,
                             int warmupSteps, double weightDecay, double beta1, double beta2, double epsilon,
                             int batchSize, int gradAccum, double clipNorm, int epochs, int maxSteps, long seed,
                             int checkpointEvery) {

    /** Learning-rate schedules. */
    public enum Schedule { CONSTANT, COSINE }

    public TrainingConfig {
        if (readLayer < 0 || writeLayer < 0) {
            throw new IllegalArgumentException("read and write layers must be block indices >= 0, got read " + readLayer
                    + ", write " + writeLayer);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        }
        if (batchSize < 1 || gradAccum < 1) {
            throw new IllegalArgumentException("batchSize and gradAccum must be >= 1, got " + batchSize + " and " + gradAccum);
        }
        if (epochs < 1 && maxSteps < 1) {
            throw new IllegalArgumentException("give epochs >= 1 or steps >= 1");
        }
        if (clipNorm < 0 || warmupSteps < 0 || checkpointEvery < 0 || weightDecay < 0) {
            throw new IllegalArgumentException("clipNorm, warmupSteps, checkpointEvery and weightDecay must be >= 0");
        }
    }

    /**
     * The method doc's recipe scaled to a model of {@code nLayers} blocks: read after block
     * {@code ceil(15/32 * nLayers)} (15 for SmolLM2's 30), write after block 0, LoRA r 16 / alpha 32 /
     * dropout 0.05 on q,k,v,o,gate,up,down, AdamW lr 1e-4 (betas 0.9/0.999, eps 1e-8, decay 0.01),
     * constant schedule, batch 4, no accumulation, no clipping, 1 epoch, seed 42, a checkpoint every 500 steps.
     */
    public static TrainingConfig defaults(int nLayers) {
        int read = Math.max(0, Math.min(nLayers - 1, (int) Math.ceil(15.0 / 32.0 * nLayers)));
        LoraConfig lora = LoraConfig.of(16, 32f, 0.05f, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.K_PROJ, LoraTarget.V_PROJ,
                LoraTarget.O_PROJ, LoraTarget.GATE_PROJ, LoraTarget.UP_PROJ, LoraTarget.DOWN_PROJ));
        return new TrainingConfig(read, 0, lora, 1e-4, Schedule.CONSTANT, 0, 0.01, 0.9, 0.999, 1e-8, 4, 1, 0, 1, 0, 42, 500);
    }

    /** The learning rate of optimizer step {@code step} (0-based) of {@code totalSteps}. */
    public double learningRateAt(int step, int totalSteps) {
        if (warmupSteps > 0 && step < warmupSteps) {
            return learningRate * (step + 1) / warmupSteps;
        }
        if (schedule == Schedule.CONSTANT) {
            return learningRate;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    public TrainingConfig withSteps(int steps) {
        return new TrainingConfig(readLayer, writeLayer, lora, learningRate, schedule, warmupSteps, weightDecay, beta1, beta2,
                epsilon, batchSize, gradAccum, clipNorm, epochs, steps, seed, checkpointEvery);
    }
}
