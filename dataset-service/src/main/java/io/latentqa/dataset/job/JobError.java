package io.latentqa.dataset.job;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One record a job could not process, with where it is. Fields that do not apply are null (and left out of
 * the JSON).
 *
 * @param file the file, relative to the data folder (imports)
 * @param index position in the file: the record's index in the array, or the pair's index under its label
 * @param line line of the record's first character (1-based)
 * @param column column of the record's first character (1-based)
 * @param label the record's label, when it has one
 * @param item the job item (generate-dialogs, generate-qa with an LLM)
 * @param message what is wrong and what to fix
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobError(String file, Integer index, Integer line, Integer column, String label, String item,
        String message) {

    public static JobError inFile(String file, Integer index, Integer line, Integer column, String label,
            String message) {
        return new JobError(file, index, line, column, label, null, message);
    }

    public static JobError forItem(String item, String label, String message) {
        return new JobError(null, null, null, null, label, item, message);
    }

    public static JobError forLabel(String label, String message) {
        return new JobError(null, null, null, null, label, null, message);
    }
}
