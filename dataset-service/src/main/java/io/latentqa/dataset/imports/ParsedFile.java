package io.latentqa.dataset.imports;

import java.util.List;

import io.latentqa.dataset.job.JobError;

/**
 * What was read from one LatentQA file: its valid records or pairs, and an error per invalid one. A file that
 * is not valid JSON has only the error: none of its records is trusted.
 *
 * @param file the file, relative to the data folder
 * @param qa true for a QA file (label → [[question, answer]...]), false for a behaviour file (array of records)
 * @param records valid behaviour records
 * @param pairs valid QA pairs
 * @param errors one per invalid record or pair, with its position
 */
public record ParsedFile(String file, boolean qa, List<BehaviourRecord> records, List<QaEntry> pairs,
        List<JobError> errors) {

    public int units() {
        return records.size() + pairs.size();
    }
}
