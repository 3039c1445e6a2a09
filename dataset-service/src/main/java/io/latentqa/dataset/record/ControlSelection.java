package io.latentqa.dataset.record;

import java.util.Optional;
import java.util.Set;

import io.latentqa.dataset.job.InvalidParamsException;
import io.latentqa.dataset.job.JobParams;

/**
 * Which controls a generate-dialogs or generate-qa job works on. Every field is optional (null: no filter).
 *
 * @param labelPrefix labels starting with this
 * @param kind the control's kind (goal, persona, sqa, story, ...)
 * @param source import or grammar
 * @param fromJob controls last written by this job (e.g. a generate-controls job)
 * @param limit at most this many, in label order
 */
public record ControlSelection(String labelPrefix, String kind, String source, String fromJob, Integer limit) {

    /** The job parameter names a selection is read from. */
    public static final Set<String> PARAMS = Set.of("labelPrefix", "kind", "controlSource", "fromJob", "limit");

    public static ControlSelection from(JobParams params) {
        String source = params.string("controlSource").orElse(null);
        if (source != null && !Set.of("import", "grammar").contains(source)) {
            throw new InvalidParamsException("params.controlSource must be import or grammar, got '" + source + "'");
        }
        Optional<Integer> limit = params.optionalInteger("limit", 1, 10_000_000);
        return new ControlSelection(params.string("labelPrefix").orElse(null), params.string("kind").orElse(null),
                source, params.string("fromJob").orElse(null), limit.orElse(null));
    }

    /** @return the selection in words, for messages */
    public String describe() {
        StringBuilder words = new StringBuilder("controls");
        if (labelPrefix != null) {
            words.append(" with labels starting '").append(labelPrefix).append('\'');
        }
        if (kind != null) {
            words.append(" of kind ").append(kind);
        }
        if (source != null) {
            words.append(" from source ").append(source);
        }
        if (fromJob != null) {
            words.append(" written by job ").append(fromJob);
        }
        return words.toString();
    }
}
