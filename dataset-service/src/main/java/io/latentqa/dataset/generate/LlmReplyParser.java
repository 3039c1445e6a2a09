package io.latentqa.dataset.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the QA pairs out of an LLM's reply the way the reference does (method doc §1.4): the JSON in a
 * ```json code fence, or else the last paragraph. Accepts [{"question", "answer"}...] or [[question, answer]...].
 */
public final class LlmReplyParser {

    private static final Pattern FENCE = Pattern.compile("```(?:json)?\\s*\\n(.*?)```", Pattern.DOTALL);

    private LlmReplyParser() {
    }

    /** A pair read from a reply. */
    public record Pair(String question, String answer) {
    }

    /**
     * @throws IllegalArgumentException saying what the reply lacked
     */
    public static List<Pair> parse(String reply, ObjectMapper json) {
        if (reply == null || reply.isBlank()) {
            throw new IllegalArgumentException("the reply is empty");
        }
        String candidate = null;
        Matcher fence = FENCE.matcher(reply);
        while (fence.find()) {
            candidate = fence.group(1);
        }
        if (candidate == null) {
            String[] paragraphs = reply.strip().split("\\n\\s*\\n");
            candidate = paragraphs[paragraphs.length - 1];
        }
        JsonNode list;
        try {
            list = json.readTree(candidate.strip());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the reply has no JSON list of QA pairs in a ```json fence or its last"
                    + " paragraph (" + e.getOriginalMessage() + ")");
        }
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException("the reply's JSON is not a non-empty list of QA pairs");
        }
        List<Pair> pairs = new ArrayList<>();
        for (JsonNode element : list) {
            String question = null;
            String answer = null;
            if (element.isObject()) {
                question = text(element.get("question"));
                answer = text(element.get("answer"));
            } else if (element.isArray() && element.size() == 2) {
                question = text(element.get(0));
                answer = text(element.get(1));
            }
            if (question == null || answer == null) {
                throw new IllegalArgumentException("a QA pair in the reply is not {\"question\": ..., \"answer\": ...}"
                        + " with two non-empty strings: " + abbreviate(element.toString()));
            }
            pairs.add(new Pair(question, answer));
        }
        return pairs;
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText().strip() : null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 117) + "...";
    }
}
