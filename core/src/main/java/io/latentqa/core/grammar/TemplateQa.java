package io.latentqa.core.grammar;

/**
 * A QA pair made by a template.
 *
 * @param template the template's id, unique per control (part of the pair's natural key)
 * @param question the question
 * @param answer the answer
 */
public record TemplateQa(String template, String question, String answer) {

    /** The question the decoders are trained on most: the hidden instruction, answered by its own text. */
    public static final String INSTRUCTION_QUESTION = "What instruction was the assistant given?";

    /** "What instruction was the assistant given?" → the instruction itself. */
    public static TemplateQa instruction(String text) {
        return new TemplateQa("instruction", INSTRUCTION_QUESTION, text);
    }
}
