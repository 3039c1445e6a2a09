package io.latentqa.dataset.record;

import java.util.Set;
import java.util.TreeSet;

import io.latentqa.dataset.rest.ProblemException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * The QA records, as trainer and evaluation read them: paged, filterable by split, kind, source, record kind
 * and label prefix. This is the documented read API of the dataset (docs/dataset-service.md).
 */
@Path("/v1/records")
@Produces(MediaType.APPLICATION_JSON)
public class RecordResource {

    static final Set<String> SPLITS = Set.of("train", "eval", "test", "unassigned");
    static final Set<String> SOURCES = Set.of("import", "template", "llm");
    static final Set<String> KNOWN_KINDS = Set.of("goal", "persona", "sqa", "story");
    static final int MAX_SIZE = 1000;

    private final QaRecordRepository records;

    RecordResource(QaRecordRepository records) {
        this.records = records;
    }

    /**
     * @param split train, eval, test or unassigned
     * @param kind goal, persona, sqa, story, or another kind present in the data
     * @param source import, template or llm
     * @param recordKind control, stimulus, stimulus_completion, system, system_completion or text_completion
     * @param labelPrefix labels starting with this text
     * @param page page number from 0
     * @param size 1 to 1000 records per page
     */
    @GET
    public Page<QaRecord> list(@QueryParam("split") String split, @QueryParam("kind") String kind,
            @QueryParam("source") String source, @QueryParam("recordKind") String recordKind,
            @QueryParam("labelPrefix") String labelPrefix, @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("100") int size) {
        RecordFilter filter = new RecordFilter(oneOf("split", split, SPLITS), kind(kind), oneOf("source", source, SOURCES),
                recordKind(recordKind), labelPrefix(labelPrefix));
        if (page < 0) {
            throw invalidFilter("page must be 0 or more, got " + page);
        }
        if (size < 1 || size > MAX_SIZE) {
            throw invalidFilter("size must be between 1 and " + MAX_SIZE + ", got " + size);
        }
        return records.page(filter, page, size);
    }

    static ProblemException invalidFilter(String detail) {
        return new ProblemException("invalid-filter", "Invalid filter", 400, detail);
    }

    static String oneOf(String name, String value, Set<String> allowed) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!allowed.contains(value)) {
            throw invalidFilter(name + " must be one of " + String.join(", ", new TreeSet<>(allowed)) + "; got '"
                    + value + "'");
        }
        return value;
    }

    private String kind(String kind) {
        if (kind == null || kind.isEmpty()) {
            return null;
        }
        Set<String> allowed = new TreeSet<>(KNOWN_KINDS);
        allowed.addAll(records.kinds());
        if (!allowed.contains(kind)) {
            throw invalidFilter("kind must be one of " + String.join(", ", allowed)
                    + " (the built-in kinds and those in the data); got '" + kind + "'");
        }
        return kind;
    }

    private static String recordKind(String recordKind) {
        if (recordKind == null || recordKind.isEmpty()) {
            return null;
        }
        return RecordKind.fromWireName(recordKind).map(RecordKind::wireName).orElseThrow(() -> invalidFilter(
                "recordKind must be one of " + RecordKind.allowed() + "; got '" + recordKind + "'"));
    }

    static String labelPrefix(String labelPrefix) {
        if (labelPrefix == null || labelPrefix.isEmpty()) {
            return null;
        }
        if (labelPrefix.length() > 200 || labelPrefix.chars().anyMatch(Character::isISOControl)) {
            throw invalidFilter("labelPrefix must be at most 200 printable characters, e.g. persona- or goal-emotion-");
        }
        return labelPrefix;
    }
}
