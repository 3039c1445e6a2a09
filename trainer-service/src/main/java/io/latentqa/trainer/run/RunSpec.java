package io.latentqa.trainer.run;

import io.latentqa.trainer.data.QaFilter;
import io.latentqa.trainer.lit.TrainingConfig;

/**
 * A run spec as the trainer uses it (parsed and completed with defaults by {@link RunSpecParser}).
 *
 * @param model      the target model: a path, absolute or relative to the models folder
 * @param data       which QA records to train on
 * @param eval       which QA records to evaluate on
 * @param evalEvery  evaluate every this many steps (0 = only at the end)
 * @param evalLimit  examples in the eval loss
 * @param mcItems    multiple-choice items per evaluation
 * @param generate   greedy answers per evaluation (exact match, F1, ROUGE-L)
 * @param training   hyperparameters
 * @param init       the decoder adapter whose weights the run starts from (a shipped or published adapter id), or
 *                   null for PEFT's initialisation
 */
public record RunSpec(String model, QaFilter data, QaFilter eval, int evalEvery, int evalLimit, int mcItems, int generate,
                      TrainingConfig training, String init) {
}
