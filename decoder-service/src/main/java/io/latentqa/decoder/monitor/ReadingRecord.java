package io.latentqa.decoder.monitor;

import java.time.Instant;
import java.util.UUID;

/**
 * A monitor's reading of one activation event: a row of {@code readings} and the value on latentqa.readings.
 *
 * @param activationId the event's request id
 * @param monitorId    the monitor
 * @param question     the monitor's question
 * @param answer       the generated answer (regex) or the best candidate (choice)
 * @param score        choice: probability of the flag answer among the candidates; regex: 1 if matched, else 0
 * @param flagged      whether the rule fired
 * @param modelId      the model the activations came from
 * @param adapter      the decoder that read ({@code base} for the base model)
 * @param createdAt    when the reading was made
 */
public record ReadingRecord(String activationId, UUID monitorId, String question, String answer, double score,
        boolean flagged, String modelId, String adapter, Instant createdAt) {
}
