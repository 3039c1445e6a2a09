package io.latentqa.trainer.run;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A training run as stored in {@code runs}.
 *
 * @param id the run id (the Kafka record key)
 * @param status where the run is
 * @param spec the run spec as requested (data filter, hyperparameters), a JSON object
 * @param source how it was requested
 * @param createdAt when it was created (a resumed or extended run queues again later, see V4__add_queued_at.sql)
 * @param updatedAt when its status last changed
 * @param progress how far it is
 */
public record Run(String id, RunStatus status, JsonNode spec, RunSource source, OffsetDateTime createdAt,
        OffsetDateTime updatedAt, RunProgress progress) {
}
