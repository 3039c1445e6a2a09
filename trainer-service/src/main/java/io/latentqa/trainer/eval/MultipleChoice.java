package io.latentqa.trainer.eval;

/**
 * Multiple-choice scoring (one true answer among distractors): an item is right when the true answer
 * has the strictly highest score. Scores are the decoder's log-likelihood of each answer given the
 * activations, or that minus the log-likelihood of the same answer without activations
 * (normalised: what the activations add beyond the decoder's prior for the answer).
 */
public final class MultipleChoice {

    private MultipleChoice() {
    }

    /** Whether {@code scores[trueIndex]} is strictly above every other score (ties count as wrong). */
    public static boolean correct(double[] scores, int trueIndex) {
        for (int i = 0; i < scores.length; i++) {
            if (i != trueIndex && scores[i] >= scores[trueIndex]) {
                return false;
            }
        }
        return true;
    }

    /** Per answer: log-likelihood with activations minus without. */
    public static double[] normalised(double[] withActivations, double[] withoutActivations) {
        if (withActivations.length != withoutActivations.length) {
            throw new IllegalArgumentException("need one score with and one without activations per answer, got "
                    + withActivations.length + " and " + withoutActivations.length);
        }
        double[] out = new double[withActivations.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = withActivations[i] - withoutActivations[i];
        }
        return out;
    }
}
