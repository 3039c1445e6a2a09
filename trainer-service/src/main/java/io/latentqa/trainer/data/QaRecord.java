package io.latentqa.trainer.data;

import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.lit.RecordKind;

/**
 * One QA record: a behaviour record (what the target reads) joined with one of its label's QA pairs
 * (what the decoder is taught to answer). The unit the trainer iterates over.
 *
 * @param id       a stable id (dataset-service's record id, or split/source/index/pair for files)
 * @param label    the behaviour's label, e.g. {@code persona-job-lighthouse-keeper}
 * @param record   the behaviour record (its kind decides the read prompt and mask)
 * @param question the question about the activations
 * @param answer   the answer the decoder is trained on
 * @param split    {@code train}, {@code eval}, ...
 * @param source   where it came from (a file stem such as {@code system}, or a dataset-service source)
 */
public record QaRecord(String id, String label, LitRecord record, String question, String answer, String split,
                       String source) {

    /** The record kind (system, control, stimulus, stimulus_completion). */
    public RecordKind kind() {
        return record.kind();
    }

    /** Character length of everything the example renders, used only to sort (length buckets). */
    public int characters() {
        return record.system().length() + record.controlUser().length() + record.controlModel().length()
                + record.stimulusUser().length() + record.stimulusModel().length() + question.length() + answer.length();
    }
}
