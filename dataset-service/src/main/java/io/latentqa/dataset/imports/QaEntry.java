package io.latentqa.dataset.imports;

/**
 * A valid [question, answer] pair of a QA file.
 *
 * @param file the file, relative to the data folder
 * @param label the label it is listed under
 * @param index its index in the label's list
 * @param line line of its first character
 * @param column column of its first character
 * @param question the question
 * @param answer the answer
 */
public record QaEntry(String file, String label, int index, int line, int column, String question, String answer) {

    public String position() {
        return "label " + label + ", index " + index + ", line " + line + ", column " + column;
    }
}
