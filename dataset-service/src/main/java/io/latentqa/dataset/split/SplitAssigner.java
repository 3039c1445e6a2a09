package io.latentqa.dataset.split;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Assigns a label to train, eval or test from the seed and the label alone: u = the first 8 bytes of
 * SHA-256("&lt;seed&gt;:&lt;label&gt;") as an unsigned number / 2^64; train if u &lt; train fraction, eval if
 * u &lt; train + eval, else test. A label's split therefore does not depend on which other labels exist, so
 * adding data never moves a label between splits (the fractions are met on average, not exactly).
 *
 * @param train fraction of labels for train
 * @param eval fraction for eval (test gets the rest)
 */
public record SplitAssigner(double train, double eval) {

    public SplitAssigner {
        if (train < 0 || eval < 0 || train + eval > 1 + 1e-9) {
            throw new IllegalArgumentException("split fractions must be at least 0 and train + eval at most 1, got train "
                    + train + ", eval " + eval);
        }
    }

    /** @return train, eval or test */
    public String assign(long seed, String label) {
        double u = uniform(seed, label);
        if (u < train) {
            return "train";
        }
        return u < train + eval ? "eval" : "test";
    }

    /** @return a number in [0, 1) fixed by the seed and the label */
    static double uniform(long seed, String label) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((seed + ":" + label).getBytes(StandardCharsets.UTF_8));
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (digest[i] & 0xff);
            }
            // top 53 bits: exactly representable as a double in [0, 1)
            return (bits >>> 11) * 0x1.0p-53;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
