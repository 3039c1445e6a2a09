package io.latentqa.core.generate;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Temperature sampling with an optional nucleus (top-p, Holtzman et al. 2019): softmax of
 * logits / temperature, then, when {@code 0 < topP < 1}, sampling among the most likely tokens whose
 * probabilities add up to {@code topP}, as llama2.c's {@code sample_topp}.
 */
public final class TopPSampler implements Sampler {

    private final float temperature;
    private final float topP;

    /**
     * @param temperature > 0
     * @param topP        in (0, 1] (1 = plain temperature sampling)
     */
    public TopPSampler(float temperature, float topP) {
        if (!(temperature > 0f)) {
            throw new IllegalArgumentException("temperature must be > 0 for sampling (use GreedySampler for 0), got " + temperature);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        this.temperature = temperature;
        this.topP = topP;
    }

    @Override
    public int sample(float[] logits, RandomGenerator random) {
        int n = logits.length;
        double[] probabilities = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit / (double) temperature);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            probabilities[i] = Math.exp(logits[i] / (double) temperature - max);
            sum += probabilities[i];
        }
        for (int i = 0; i < n; i++) {
            probabilities[i] /= sum;
        }
        double coin = random.nextDouble();
        if (topP >= 1f) {
            return sampleAll(probabilities, coin);
        }
        // tokens below (1 - p) / (n - 1) cannot be in the nucleus: skip them before sorting (llama2.c)
        double cutoff = (1.0 - topP) / (n - 1);
        Integer[] candidates = new Integer[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (probabilities[i] >= cutoff) {
                candidates[count++] = i;
            }
        }
        Integer[] sorted = Arrays.copyOf(candidates, count);
        // descending probability, lower id first on ties: deterministic for a seed
        Arrays.sort(sorted, (a, b) -> probabilities[a] != probabilities[b]
                ? Double.compare(probabilities[b], probabilities[a]) : Integer.compare(a, b));
        double cumulative = 0;
        int last = sorted.length - 1;
        for (int i = 0; i < sorted.length; i++) {
            cumulative += probabilities[sorted[i]];
            if (cumulative > topP) {
                last = i;
                break;
            }
        }
        double r = coin * cumulative;
        double cdf = 0;
        for (int i = 0; i <= last; i++) {
            cdf += probabilities[sorted[i]];
            if (r < cdf) {
                return sorted[i];
            }
        }
        return sorted[last];
    }

    private static int sampleAll(double[] probabilities, double coin) {
        double cdf = 0;
        for (int i = 0; i < probabilities.length; i++) {
            cdf += probabilities[i];
            if (coin < cdf) {
                return i;
            }
        }
        return probabilities.length - 1;
    }

    @Override
    public String toString() {
        return "TopPSampler[temperature=" + temperature + ", topP=" + topP + "]";
    }
}
