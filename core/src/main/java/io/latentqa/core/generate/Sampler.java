package io.latentqa.core.generate;

import java.util.random.RandomGenerator;

/** Picks the next token from one row's logits. */
@FunctionalInterface
public interface Sampler {

    /** The most likely token (ties go to the lowest id, as {@code argmax} in PyTorch). */
    Sampler ARGMAX = new GreedySampler();

    /**
     * @param logits (V) unnormalised scores; not modified
     * @param random the row's random source (ignored by greedy sampling)
     * @return the chosen token id
     */
    int sample(float[] logits, RandomGenerator random);
}
