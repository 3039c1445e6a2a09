package io.latentqa.decoder.reading;

/**
 * The decoder's log-likelihood of one candidate answer (method doc §5, scoring mode).
 *
 * @param answer                  the candidate
 * @param tokens                  number of answer tokens scored (content and end-of-turn token)
 * @param logLikelihood           sum of the answer tokens' log-probabilities with the activations patched in
 * @param meanLogLikelihood       the same per token (the reference's per-example mean log-loss, negated)
 * @param baselineLogLikelihood   the same answer's log-likelihood without activations (placeholders left as
 *                                {@code ?}), or null when not asked for
 * @param score                   what candidates are ranked by: logLikelihood, minus baselineLogLikelihood
 *                                when normalised
 * @param probability             softmax of score over the candidates of the question
 * @param rank                    1 for the best candidate
 */
public record CandidateScore(String answer, int tokens, double logLikelihood, double meanLogLikelihood,
        Double baselineLogLikelihood, double score, double probability, int rank) {
}
