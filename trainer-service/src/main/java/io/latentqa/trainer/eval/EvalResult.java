package io.latentqa.trainer.eval;

import java.util.Map;

/**
 * Evaluation of a decoder on held-out QA records.
 *
 * @param loss                   token-mean training loss (both reflect turns) over the evaluated examples
 * @param mcAccuracy             share of items whose true answer has the highest log-likelihood given the activations
 * @param mcAccuracyNormalised   the same with scores minus the answer's log-likelihood without activations
 * @param untrainedNormalised    normalised accuracy of the untrained model given the same activations (control)
 * @param shuffledNormalised     normalised accuracy of the decoder given another record's activations (control;
 *                               NaN when the items have a single label)
 * @param noActivations          accuracy of the decoder given no activations (control)
 * @param exactMatch             mean exact match of the greedy answers
 * @param tokenF1                mean token F1 of the greedy answers
 * @param rougeL                 mean ROUGE-L F-measure of the greedy answers
 * @param lossExamples           examples in the loss
 * @param mcItems                multiple-choice items scored
 * @param generated              greedy answers generated
 * @param choice                 top-1 counts per variant of the multiple-choice items (decoder and controls, raw and
 *                               PMI), the source of the accuracies above; empty when no item was scored
 */
public record EvalResult(double loss, double mcAccuracy, double mcAccuracyNormalised, double untrainedNormalised,
                         double shuffledNormalised, double noActivations, double exactMatch, double tokenF1, double rougeL,
                         int lossExamples, int mcItems, int generated, Map<FidelityEval.Variant, FidelityEval.Score> choice) {
}
