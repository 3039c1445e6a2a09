package io.latentqa.core.generate;

import java.util.Set;

/**
 * How to generate: how many tokens at most, how to pick them, when to stop.
 *
 * @param maxNewTokens most tokens generated per row (the stop token included)
 * @param temperature  0 = greedy; otherwise logits are divided by it before sampling
 * @param topP         nucleus mass in (0, 1]; 1 = no nucleus (ignored when greedy)
 * @param seed         seeds row b's random source with {@code seed + b}: the same seed gives the same tokens
 * @param stopTokens   ids that end a row (it is kept as the row's last token)
 */
public record GenerationSettings(int maxNewTokens, float temperature, float topP, long seed, Set<Integer> stopTokens) {

    public GenerationSettings {
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("maxNewTokens must be positive, got " + maxNewTokens);
        }
        if (!(temperature >= 0f)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        stopTokens = Set.copyOf(stopTokens == null ? Set.of() : stopTokens);
    }

    /** Greedy decoding. */
    public static GenerationSettings greedy(int maxNewTokens, Set<Integer> stopTokens) {
        return new GenerationSettings(maxNewTokens, 0f, 1f, 0L, stopTokens);
    }

    /** Temperature / top-p sampling with a seed. */
    public static GenerationSettings sampling(int maxNewTokens, float temperature, float topP, long seed, Set<Integer> stopTokens) {
        return new GenerationSettings(maxNewTokens, temperature, topP, seed, stopTokens);
    }

    /** The sampler these settings describe. */
    public Sampler sampler() {
        return temperature == 0f ? Sampler.ARGMAX : new TopPSampler(temperature, topP);
    }
}
