package io.latentqa.dataset.generate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import io.latentqa.core.grammar.Grammar;
import io.latentqa.core.grammar.Grammars;
import io.latentqa.core.grammar.TemplateQa;
import io.latentqa.dataset.record.Control;
import io.latentqa.dataset.record.Labels;

/**
 * QA pairs made from a control without an LLM:
 * <ul>
 * <li>the hidden instruction itself: "What instruction was the assistant given?" → the system prompt (for sqa
 * controls, the scenario the user described);</li>
 * <li>the persona or goal in words, from the label and its category;</li>
 * <li>for grammar controls, one question per recorded attribute ("What animal is the story about?" → "a cat");</li>
 * <li>yes/no questions, the "no" ones with a distractor drawn from another control of the same kind.</li>
 * </ul>
 * Distractors are chosen by a hash of the seed and the label, so the same seed gives the same pairs.
 */
public final class QaTemplates {

    private QaTemplates() {
    }

    /**
     * @param control the control to ask about
     * @param pool controls of the same kind (may include the control itself), in a stable order
     * @param seed chooses the distractors
     */
    public static List<TemplateQa> forControl(Control control, List<Control> pool, long seed) {
        if (control.grammar() != null) {
            Grammar grammar = Grammars.byName(control.grammar()).orElseThrow(() -> new IllegalStateException(
                    "control " + control.label() + " names the unknown grammar " + control.grammar()));
            return grammar.questions(attributes(control.attributes()), attributeDistractors(control, pool, seed));
        }
        List<TemplateQa> pairs = new ArrayList<>();
        String kind = control.kind();
        if ("sqa".equals(kind)) {
            pairs.add(new TemplateQa("scenario", "What scenario did the user describe?", control.text()));
            return pairs;
        }
        pairs.add(TemplateQa.instruction(control.text()));
        String words = Labels.wordsOf(control.label());
        Control other = distractor(control, pool, seed, candidate -> Labels.wordsOf(candidate.label()));
        if ("persona".equals(kind) && !words.isEmpty()) {
            String persona = "The assistant will adopt the persona of " + Grammar.withArticle(words) + ".";
            pairs.add(new TemplateQa("persona", "What type of persona will the assistant adopt?", persona));
            pairs.add(new TemplateQa("persona-yes", "Is the assistant adopting the persona of "
                    + Grammar.withArticle(words) + "?", "Yes. " + persona));
            if (other != null) {
                pairs.add(new TemplateQa("persona-no", "Is the assistant adopting the persona of "
                        + Grammar.withArticle(Labels.wordsOf(other.label())) + "?", "No. " + persona));
            }
        } else if ("goal".equals(kind) && !words.isEmpty()) {
            String category = Labels.categoryOf(control.label());
            String goal = "The assistant pursues " + (category.isEmpty() ? "a goal" : Grammar.withArticle(category + " goal"))
                    + ": " + words + ".";
            pairs.add(new TemplateQa("goal", "What goal is the assistant pursuing?", goal));
            pairs.add(new TemplateQa("goal-yes", "Is the assistant pursuing the goal \"" + words + "\"?", "Yes. " + goal));
            if (other != null) {
                pairs.add(new TemplateQa("goal-no", "Is the assistant pursuing the goal \""
                        + Labels.wordsOf(other.label()) + "\"?", "No. " + goal));
            }
        }
        return pairs;
    }

    /** For each slot of a grammar control, a different value taken from another control of the pool. */
    private static Map<String, String> attributeDistractors(Control control, List<Control> pool, long seed) {
        Map<String, String> own = attributes(control.attributes());
        Map<String, String> distractors = new LinkedHashMap<>();
        for (Map.Entry<String, String> slot : own.entrySet()) {
            List<String> values = new ArrayList<>();
            for (Control candidate : pool) {
                if (candidate.attributes() == null || candidate.label().equals(control.label())) {
                    continue;
                }
                JsonNode value = candidate.attributes().get(slot.getKey());
                if (value != null && value.isTextual() && !value.asText().equals(slot.getValue())
                        && !values.contains(value.asText())) {
                    values.add(value.asText());
                }
            }
            if (!values.isEmpty()) {
                values.sort(String::compareTo);
                distractors.put(slot.getKey(), values.get(index(seed, control.label() + "#" + slot.getKey(), values.size())));
            }
        }
        return distractors;
    }

    /** Another control of the pool whose words differ from this one's, or null. */
    private static Control distractor(Control control, List<Control> pool, long seed, Function<Control, String> words) {
        String own = words.apply(control);
        List<Control> others = pool.stream()
                .filter(candidate -> !candidate.label().equals(control.label()))
                .filter(candidate -> !words.apply(candidate).isEmpty() && !words.apply(candidate).equals(own))
                .toList();
        return others.isEmpty() ? null : others.get(index(seed, control.label(), others.size()));
    }

    static Map<String, String> attributes(JsonNode node) {
        Map<String, String> attributes = new LinkedHashMap<>();
        if (node != null) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                attributes.put(field.getKey(), field.getValue().asText());
            }
        }
        return attributes;
    }

    /** A deterministic index in [0, size) from the seed and a key (SHA-256, so it does not depend on the JVM). */
    static int index(long seed, String key, int size) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((seed + ":" + key).getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (digest[i] & 0xff);
            }
            return (int) Long.remainderUnsigned(value, size);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
