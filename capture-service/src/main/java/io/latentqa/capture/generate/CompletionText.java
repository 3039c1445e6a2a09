package io.latentqa.capture.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.latentqa.core.tokenizer.Tokenizer;

/**
 * A completion's text as its tokens arrive: decodes incrementally, ends at the first stop string, and
 * hands out only text that is final, holding back a trailing incomplete UTF-8 sequence (decoded as
 * U+FFFD) and any tail that could still grow into a stop string.
 */
final class CompletionText {

    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    private final Set<Integer> stopTokens;
    private final List<String> stops;
    private final List<Integer> ids = new ArrayList<>();
    private String decoded = "";
    private int emitted;
    private String finalText;

    CompletionText(Tokenizer tokenizer, Set<Integer> stopTokens, List<String> stops) {
        this.tokenizer = tokenizer;
        this.stopTokens = stopTokens;
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** True once a stop string was found: the text is final. */
    boolean stopped() {
        return finalText != null;
    }

    /**
     * Adds a sampled token (stop tokens add no text).
     *
     * @return text that became final with this token, possibly empty
     */
    String add(int token) {
        if (finalText != null || stopTokens.contains(token)) {
            return "";
        }
        ids.add(token);
        decoded = tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray());
        int stopAt = firstStop(decoded, Math.max(0, emitted - longestStop()));
        if (stopAt >= 0) {
            finalText = decoded.substring(0, stopAt);
            return take(finalText, stopAt);
        }
        int safe = decoded.length();
        while (safe > emitted && decoded.charAt(safe - 1) == REPLACEMENT) {
            safe--;
        }
        safe -= heldForStop(decoded.substring(0, safe));
        return take(decoded, safe);
    }

    /** Ends the text (no stop string came): the rest of it, possibly empty. */
    String finish() {
        if (finalText == null) {
            finalText = decoded;
        }
        return take(finalText, finalText.length());
    }

    /** The whole text so far (final after {@link #finish}). */
    String text() {
        return finalText != null ? finalText : decoded;
    }

    private String take(String text, int end) {
        if (end <= emitted || end > text.length()) {
            return "";
        }
        String delta = text.substring(emitted, end);
        emitted = end;
        return delta;
    }

    private int firstStop(String text, int from) {
        int best = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of a stop string. */
    private int heldForStop(String text) {
        int held = 0;
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, text.length()); n > held; n--) {
                if (text.endsWith(stop.substring(0, n))) {
                    held = n;
                    break;
                }
            }
        }
        return held;
    }

    private int longestStop() {
        return stops.stream().mapToInt(String::length).max().orElse(0);
    }
}
