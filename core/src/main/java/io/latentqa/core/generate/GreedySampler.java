package io.latentqa.core.generate;

import java.util.random.RandomGenerator;

/** Temperature 0: the argmax, first index on ties. */
public final class GreedySampler implements Sampler {

    @Override
    public int sample(float[] logits, RandomGenerator random) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
