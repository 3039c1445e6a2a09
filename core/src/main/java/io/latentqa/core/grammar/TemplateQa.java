package io.latentqa.core.grammar;

/**
 * A QA pair made by a template.
 *
 * @param template the template's id, unique per control (part of the pair's natural key)
 * @param question the question
 * @param answer the answer
 */
public record TemplateQa(String template, String question, String answer) {
}
