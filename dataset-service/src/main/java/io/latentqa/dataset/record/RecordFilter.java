package io.latentqa.dataset.record;

/**
 * Filters of {@code GET /v1/records}; null means no filter.
 *
 * @param split train, eval, test, or unassigned (no split yet)
 * @param kind goal, persona, sqa, story, ...
 * @param source import, template or llm (where the QA pair came from)
 * @param recordKind control, stimulus, stimulus_completion, system, system_completion, text_completion
 * @param labelPrefix labels that start with this text (matched literally)
 */
public record RecordFilter(String split, String kind, String source, String recordKind, String labelPrefix) {
}
