package io.latentqa.decoder.messaging;

import java.io.IOException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.decoder.adapter.DecoderAdapters;
import io.latentqa.decoder.adapter.ModelEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hot-swaps decoder adapters. In: channel {@code model-events-in} (topic latentqa.model-events). A published
 * decoder adapter of this model is loaded, verified and made the default; a retired one stops being offered.
 * Steering adapters are ignored. A record that cannot be applied is nacked to latentqa.model-events.dlq.
 */
@ApplicationScoped
public class ModelEventConsumer {

    private static final Logger LOG = Logger.getLogger(ModelEventConsumer.class);

    private final DecoderAdapters adapters;
    private final ObjectMapper json;

    ModelEventConsumer(DecoderAdapters adapters, ObjectMapper json) {
        this.adapters = adapters;
        this.json = json;
    }

    @Incoming("model-events-in")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        ModelEvent event = parse(record.key(), record.value());
        if (!event.decoder()) {
            return;
        }
        if (event.published()) {
            adapters.publish(event);
        } else {
            adapters.retire(event.adapterId());
        }
    }

    ModelEvent parse(String key, byte[] value) {
        JsonNode node;
        try {
            node = value == null ? null : json.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("model event " + key + " is not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("model event " + key + " must be a JSON object");
        }
        ModelEvent event = new ModelEvent(text(node, "event"), text(node, "adapterId"), text(node, "kind"),
                text(node, "digest"), text(node, "baseModelId"), text(node, "baseModelDigest"), text(node, "runId"),
                text(node, "uri"), integer(node, "readLayer"), integer(node, "writeLayer"));
        if (event.adapterId() == null || (!"published".equals(event.event()) && !"retired".equals(event.event()))) {
            throw new IllegalArgumentException("model event " + key + " needs adapterId and event 'published' or"
                    + " 'retired'");
        }
        if (event.decoder() && event.published() && (event.digest() == null || event.uri() == null)) {
            throw new IllegalArgumentException("published decoder adapter " + event.adapterId() + " needs digest and uri");
        }
        LOG.debugf("model event %s %s %s", event.event(), event.kind(), event.adapterId());
        return event;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.canConvertToInt() ? null : value.asInt();
    }
}
