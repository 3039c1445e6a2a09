package io.latentqa.core.grammar;

import java.util.Map;

/**
 * A control drawn from a grammar.
 *
 * @param label kind-…: one label per combination of attribute values, so a label names its control
 * @param text the control text, e.g. a story opening
 * @param attributes slot → value, in slot order
 */
public record GrammarControl(String label, String text, Map<String, String> attributes) {
}
