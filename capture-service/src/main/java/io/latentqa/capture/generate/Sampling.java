package io.latentqa.capture.generate;

/**
 * How one request picks its tokens.
 *
 * @param maxTokens   most completion tokens (the stop token included)
 * @param temperature 0 = greedy
 * @param topP        nucleus mass in (0, 1]
 * @param seed        seeds the request's own random source: the same seed gives the same tokens
 */
public record Sampling(int maxTokens, float temperature, float topP, long seed) {

    public Sampling {
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        }
        if (!(temperature >= 0f) || !(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("temperature must be >= 0 and topP in (0, 1], got " + temperature
                    + ", " + topP);
        }
    }
}
