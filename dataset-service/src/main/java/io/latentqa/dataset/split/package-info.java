/** split: train / eval / test by label, deterministic by seed, recorded in {@code label_splits}. */
package io.latentqa.dataset.split;
