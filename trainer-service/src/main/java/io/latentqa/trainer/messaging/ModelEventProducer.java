package io.latentqa.trainer.messaging;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Publishes adapter events. Out: channel {@code model-events-out} (topic latentqa.model-events), key
 * the adapter id (or the run id for progress events), value JSON.
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
     * A decoder adapter is ready: {@code {"event":"published","adapterId","kind":"decoder","digest":"sha256:<hex>",
     * "baseModelId","baseModelDigest","runId","uri","readLayer","writeLayer"}}.
     */
    public void published(String adapterId, String digest, String baseModelId, String baseModelDigest, String runId, String uri,
                          int readLayer, int writeLayer) {
        ObjectNode event = json.createObjectNode()
                .put("event", "published")
                .put("adapterId", adapterId)
                .put("kind", "decoder")
                .put("digest", digest)
                .put("baseModelId", baseModelId)
                .put("baseModelDigest", baseModelDigest)
                .put("runId", runId)
                .put("uri", uri)
                .put("readLayer", readLayer)
                .put("writeLayer", writeLayer);
        emitter.send(Record.of(adapterId, event.toString())).toCompletableFuture().join();
    }

    /** A training step: {@code {"event":"progress","runId","step","totalSteps","loss","tokensPerSecond","etaSeconds"}}. */
    public void progress(String runId, int step, int totalSteps, double loss, double tokensPerSecond, double etaSeconds) {
        ObjectNode event = json.createObjectNode()
                .put("event", "progress")
                .put("runId", runId)
                .put("step", step)
                .put("totalSteps", totalSteps)
                .put("loss", loss)
                .put("tokensPerSecond", tokensPerSecond)
                .put("etaSeconds", etaSeconds);
        emitter.send(Record.of(runId, event.toString()));
    }
}
