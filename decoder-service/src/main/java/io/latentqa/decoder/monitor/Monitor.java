package io.latentqa.decoder.monitor;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A standing question over latentqa.activations.
 *
 * @param id           the monitor's id
 * @param name         a label for people
 * @param question     the question asked about every matching event
 * @param rule         {@code choice} (score candidate answers) or {@code regex} (generate, then match)
 * @param answers      choice: the candidate answers
 * @param flagAnswer   choice: the candidate whose probability is the score
 * @param threshold    choice: flagged when the score reaches it (a probability in [0, 1])
 * @param normalise    choice: rank by log-likelihood minus the same answer's likelihood without activations
 * @param pattern      regex: a Java regular expression searched in the generated answer (score 1 if found)
 * @param modelFilter  only events of this model id (null: any)
 * @param sourceFilter only events of this source: traffic, dataset, eval (null: any)
 * @param createdAt    creation time
 * @param updatedAt    last update
 */
public record Monitor(UUID id, String name, String question, String rule, List<String> answers, String flagAnswer,
        Double threshold, boolean normalise, String pattern, String modelFilter, String sourceFilter,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public static final String CHOICE = "choice";
    public static final String REGEX = "regex";

    /** Whether this monitor reads an event of that model and source. */
    public boolean matches(String modelId, String source) {
        return (modelFilter == null || modelFilter.equals(modelId)) && (sourceFilter == null || sourceFilter.equals(source));
    }
}
