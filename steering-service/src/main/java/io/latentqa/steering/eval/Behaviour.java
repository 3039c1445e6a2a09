package io.latentqa.steering.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How a steered model's answers are judged in docs/steering.md: whether an answer shows a control's behaviour (one of
 * its keywords, as whole words, case-insensitive), its mean valence per word by the AFINN-165 lexicon, and whether it
 * is degenerate (empty, or one word trigram three times or more).
 */
public final class Behaviour {

    /** The keywords of each control the doc reports, as written there. */
    public static final Map<String, List<String>> KEYWORDS = Map.of(
            "golden_gate", List.of("golden gate", "bridge", "san francisco"),
            "harry_potter", List.of("harry", "potter", "hogwarts", "wizard", "wizardry", "magic", "magical", "spell", "wand"),
            "promote_veganism", List.of("vegan", "veganism", "plant-based", "plant based", "animal products", "dairy-free",
                    "meat-free", "animal welfare"));

    private static final Pattern WORD = Pattern.compile("[a-z']+");
    private static final Map<String, Integer> AFINN = afinn();

    private Behaviour() {
    }

    /** Whether the text holds one of the keywords as whole words. */
    public static boolean shows(String text, List<String> keywords) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String keyword : keywords) {
            if (Pattern.compile("(?<![a-z])" + Pattern.quote(keyword) + "(?![a-z])").matcher(lower).find()) {
                return true;
            }
        }
        return false;
    }

    /** The sum of the AFINN-165 scores of the text's words over its number of words (0 for no words). */
    public static double valencePerWord(String text) {
        Matcher words = WORD.matcher(text.toLowerCase(Locale.ROOT));
        int count = 0;
        int sum = 0;
        while (words.find()) {
            count++;
            sum += AFINN.getOrDefault(words.group(), 0);
        }
        return count == 0 ? 0 : (double) sum / count;
    }

    /** Empty, or some word trigram occurs three times or more. */
    public static boolean degenerate(String text) {
        Matcher words = WORD.matcher(text.toLowerCase(Locale.ROOT));
        List<String> list = new java.util.ArrayList<>();
        while (words.find()) {
            list.add(words.group());
        }
        if (list.isEmpty()) {
            return true;
        }
        Map<String, Integer> trigrams = new HashMap<>();
        for (int i = 0; i + 2 < list.size(); i++) {
            if (trigrams.merge(list.get(i) + " " + list.get(i + 1) + " " + list.get(i + 2), 1, Integer::sum) >= 3) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Integer> afinn() {
        try (InputStream in = Behaviour.class.getResourceAsStream("afinn-165.json")) {
            JsonNode node = new ObjectMapper().readTree(in);
            Map<String, Integer> scores = new HashMap<>();
            node.fields().forEachRemaining(e -> scores.put(e.getKey(), e.getValue().asInt()));
            return scores;
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("the AFINN-165 lexicon is missing from the class path", e instanceof IOException io
                    ? io : new IOException(e));
        }
    }
}
