package io.latentqa.dataset.record;

import java.util.Locale;

/** Label conventions: {@code kind-category-slug} (method doc §1.3), e.g. {@code persona-job-lighthouse-keeper}. */
public final class Labels {

    private Labels() {
    }

    /** @return the label's first dash-separated segment: goal, persona, sqa, story, ... */
    public static String kindOf(String label) {
        int dash = label.indexOf('-');
        return (dash < 0 ? label : label.substring(0, dash)).toLowerCase(Locale.ROOT);
    }

    /** @return the second segment (the category), or empty when the label has fewer than three segments */
    public static String categoryOf(String label) {
        String[] parts = label.split("-");
        return parts.length >= 3 ? parts[1] : "";
    }

    /** @return the words after kind and category: {@code persona-job-lighthouse-keeper} → "lighthouse keeper" */
    public static String wordsOf(String label) {
        String[] parts = label.split("-");
        int from = parts.length >= 3 ? 2 : Math.min(1, parts.length - 1);
        return String.join(" ", java.util.Arrays.copyOfRange(parts, from, parts.length)).replace('_', ' ').strip();
    }

    /** Escapes LIKE wildcards so that a label prefix matches literally. */
    public static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
