package io.latentqa.trainer.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Text metrics of a generated answer against the reference answer. Both are normalised as SQuAD's
 * evaluation script does: lower case, punctuation removed, the articles a/an/the removed, whitespace
 * collapsed; tokens are the whitespace-separated words of the result.
 */
public final class AnswerMetrics {

    private AnswerMetrics() {
    }

    /** The normalised words of a text. */
    public static List<String> tokens(String text) {
        String lower = text.toLowerCase(Locale.ROOT).replaceAll("\\p{Punct}", "");
        List<String> out = new ArrayList<>();
        for (String word : lower.trim().split("\\s+")) {
            if (!word.isEmpty() && !word.equals("a") && !word.equals("an") && !word.equals("the")) {
                out.add(word);
            }
        }
        return out;
    }

    /** 1 if the normalised texts are equal, else 0. */
    public static double exactMatch(String prediction, String reference) {
        return tokens(prediction).equals(tokens(reference)) ? 1 : 0;
    }

    /**
     * Token F1: precision and recall of the multiset of shared words. Two empty texts score 1, one empty
     * text 0.
     */
    public static double tokenF1(String prediction, String reference) {
        List<String> p = tokens(prediction);
        List<String> r = tokens(reference);
        if (p.isEmpty() || r.isEmpty()) {
            return p.isEmpty() && r.isEmpty() ? 1 : 0;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String w : r) {
            counts.merge(w, 1, Integer::sum);
        }
        int common = 0;
        for (String w : p) {
            Integer c = counts.get(w);
            if (c != null && c > 0) {
                common++;
                counts.put(w, c - 1);
            }
        }
        return f1(common, p.size(), r.size());
    }

    /** ROUGE-L F-measure (beta 1): from the longest common subsequence of the normalised words. */
    public static double rougeL(String prediction, String reference) {
        List<String> p = tokens(prediction);
        List<String> r = tokens(reference);
        if (p.isEmpty() || r.isEmpty()) {
            return p.isEmpty() && r.isEmpty() ? 1 : 0;
        }
        return f1(longestCommonSubsequence(p, r), p.size(), r.size());
    }

    /** Length of the longest common subsequence of two word lists (dynamic programming, two rows). */
    static int longestCommonSubsequence(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] current = new int[b.size() + 1];
        for (String x : a) {
            for (int j = 1; j <= b.size(); j++) {
                current[j] = x.equals(b.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
            Arrays.fill(current, 0);
        }
        return previous[b.size()];
    }

    private static double f1(int common, int predicted, int referenced) {
        if (common == 0) {
            return 0;
        }
        double precision = (double) common / predicted;
        double recall = (double) common / referenced;
        return 2 * precision * recall / (precision + recall);
    }
}
