package io.latentqa.steering.messaging;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.core.events.ModelEvent;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Publishes steering adapters. Out: channel {@code model-events-out} (topic latentqa.model-events), key the
 * adapter id, value JSON.
 */
@ApplicationScoped
public class ModelEventProducer {

    private final Emitter<Record<String, String>> emitter;
    private final ObjectMapper json;

    ModelEventProducer(@Channel("model-events-out") Emitter<Record<String, String>> emitter, ObjectMapper json) {
        this.emitter = emitter;
        this.json = json;
    }

    /**
     * A steering adapter is ready: {@code {"event":"published","adapterId","kind":"steering","digest","baseModelId",
     * "baseModelDigest","runId":<job id>,"uri","readLayer"}}; capture-service loads it.
     */
    public void published(String adapterId, String digest, String baseModelId, String baseModelDigest, String jobId, String uri,
                          int readLayer) {
        ObjectNode event = json.createObjectNode()
                .put("event", ModelEvent.PUBLISHED)
                .put("adapterId", adapterId)
                .put("kind", ModelEvent.STEERING)
                .put("digest", digest)
                .put("baseModelId", baseModelId)
                .put("baseModelDigest", baseModelDigest)
                .put("runId", jobId)
                .put("uri", uri)
                .put("readLayer", readLayer);
        emitter.send(Record.of(adapterId, event.toString())).toCompletableFuture().join();
    }

    /** A steering adapter is withdrawn: capture-service unloads it. */
    public void retired(String adapterId) {
        ObjectNode event = json.createObjectNode()
                .put("event", ModelEvent.RETIRED)
                .put("adapterId", adapterId)
                .put("kind", ModelEvent.STEERING);
        emitter.send(Record.of(adapterId, event.toString())).toCompletableFuture().join();
    }

}
