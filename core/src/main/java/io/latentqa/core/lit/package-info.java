/**
 * Latent Interpretation Tuning (LatentQA) examples for any chat template (method doc §12): the
 * read/write prompt construction ({@link io.latentqa.core.lit.LitPromptBuilder}), the target read
 * ({@link io.latentqa.core.lit.LitActivations}) and the decoder loss ({@link io.latentqa.core.lit.LitLoss})
 * that training, reading, scoring and steering share.
 */
package io.latentqa.core.lit;
