package io.latentqa.decoder.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.latentqa.core.events.ModelEvent;
import io.latentqa.core.events.ModelEventReader;
import io.latentqa.decoder.adapter.DecoderAdapters;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hot-swaps decoder adapters. In: channel {@code model-events-in} (topic latentqa.model-events). A published
 * decoder adapter of this model is loaded, verified and made the default; a retired one stops being offered.
 * Steering adapters are ignored. A record that cannot be applied is nacked to latentqa.model-events.dlq.
 */
@ApplicationScoped
public class ModelEventConsumer {

    private final DecoderAdapters adapters;

    ModelEventConsumer(DecoderAdapters adapters) {
        this.adapters = adapters;
    }

    @Incoming("model-events-in")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        ModelEvent event = ModelEventReader.read(record.key(), record.value()); // a bad record throws: to the DLQ
        if (!event.decoder()) {
            return;
        }
        if (event.published()) {
            adapters.publish(event);
        } else {
            adapters.retire(event.adapterId());
        }
    }
}
