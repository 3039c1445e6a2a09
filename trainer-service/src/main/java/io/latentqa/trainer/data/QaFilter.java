package io.latentqa.trainer.data;

import io.latentqa.core.lit.RecordKind;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which QA records a run uses (the query of dataset-service's {@code GET /v1/records}).
 *
 * @param split       the split, e.g. {@code train} or {@code eval}
 * @param kinds       record kinds to keep; empty = all
 * @param sources     sources to keep (file stems such as {@code system}, or dataset-service sources); empty = all
 * @param labelPrefix keep labels starting with this (e.g. {@code persona-}); null or empty = all
 * @param limit       at most this many QA records (the first ones in source order); 0 = no limit
 */
public record QaFilter(String split, Set<RecordKind> kinds, Set<String> sources, String labelPrefix, int limit) {

    public QaFilter {
        if (split == null || split.isBlank()) {
            throw new IllegalArgumentException("a QA filter needs a split (e.g. train or eval)");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0 = no limit), got " + limit);
        }
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
        sources = sources == null ? Set.of() : Set.copyOf(sources);
        labelPrefix = labelPrefix == null ? "" : labelPrefix;
    }

    /** Every record of a split. */
    public static QaFilter split(String split) {
        return new QaFilter(split, Set.of(), Set.of(), "", 0);
    }

    public QaFilter withLimit(int newLimit) {
        return new QaFilter(split, kinds, sources, labelPrefix, newLimit);
    }

    /** Whether a record passes every condition except the split and the limit. */
    public boolean matches(QaRecord record) {
        return (kinds.isEmpty() || kinds.contains(record.kind()))
                && (sources.isEmpty() || sources.contains(record.source()))
                && record.label().startsWith(labelPrefix);
    }

    /** The wire name of a record kind ({@code stimulus_completion}). */
    public static String kindName(RecordKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /** A record kind from its wire name. */
    public static RecordKind parseKind(String name) {
        for (RecordKind kind : RecordKind.values()) {
            if (kindName(kind).equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown record kind '" + name + "'; use one of "
                + Arrays.stream(RecordKind.values()).map(QaFilter::kindName).toList());
    }
}
