package io.latentqa.decoder.messaging;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.decoder.monitor.ReadingRecord;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Publishes monitor readings. Out: channel {@code readings-out} (topic latentqa.readings), key the activation
 * (request) id, value JSON {"activationId","monitorId","question","answer","score","flagged","modelId","createdAt"}
 * plus "adapter".
 */
@ApplicationScoped
public class ReadingProducer {

    private final Emitter<String> emitter;
    private final ObjectMapper json;

    ReadingProducer(@Channel("readings-out") Emitter<String> emitter, ObjectMapper json) {
        this.emitter = emitter;
        this.json = json;
    }

    public void send(ReadingRecord r) {
        ObjectNode node = json.createObjectNode()
                .put("activationId", r.activationId())
                .put("monitorId", r.monitorId().toString())
                .put("question", r.question())
                .put("answer", r.answer())
                .put("score", r.score())
                .put("flagged", r.flagged())
                .put("modelId", r.modelId())
                .put("adapter", r.adapter())
                .put("createdAt", r.createdAt().toString());
        String value;
        try {
            value = json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        emitter.send(Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(r.activationId()).build()));
    }
}
