/**
 * The dataset: controls (the hidden behaviour of a label), dialogs (read-side records), QA pairs (by label), the
 * label splits, and the QA records view that joins them (method doc §1.2) for trainer and evaluation.
 */
package io.latentqa.dataset.record;
