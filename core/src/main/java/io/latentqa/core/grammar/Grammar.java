package io.latentqa.core.grammar;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Structured controls for models that cannot follow a system prompt: a text made of attribute slots, each
 * filled with a value, and the questions that the recorded values answer.
 */
public interface Grammar {

    /** @return the name job params use */
    String name();

    /** @return the kind of its controls (the first segment of their labels) */
    String kind();

    /** @return each slot's possible values, in slot order */
    Map<String, List<String>> slots();

    /** Draws one control; the same random state gives the same control. */
    GrammarControl draw(SplittableRandom random);

    /**
     * @param attributes the control's recorded values
     * @param distractors for each slot, a value of another control (different from the control's), or absent
     * @return the QA pairs the attributes answer, including yes/no questions with the distractors
     */
    List<TemplateQa> questions(Map<String, String> attributes, Map<String, String> distractors);

    /** @return "a" or "an" and the words */
    static String withArticle(String words) {
        if (words.isEmpty()) {
            return words;
        }
        char first = Character.toLowerCase(words.charAt(0));
        return ("aeiou".indexOf(first) >= 0 ? "an " : "a ") + words;
    }
}
