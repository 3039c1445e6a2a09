package io.latentqa.capture.messaging;

import io.latentqa.core.events.ModelEventReader;
import io.latentqa.core.events.ModelEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.latentqa.capture.adapter.SteeringAdapterLoader;
import io.latentqa.capture.adapter.SteeringAdapterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps the steering adapter registry current. In: channel {@code model-events-in} (topic
 * latentqa.model-events). A record that cannot be read is nacked, which sends it to
 * latentqa.model-events.dlq with the reason in its headers; the next record is processed as usual.
 * A steering adapter that changed is then hot-loaded into (or removed from) the model.
 */
@ApplicationScoped
public class ModelEventConsumer {

    private final SteeringAdapterRegistry registry;
    private final SteeringAdapterLoader loader;

    ModelEventConsumer(SteeringAdapterRegistry registry, SteeringAdapterLoader loader) {
        this.registry = registry;
        this.loader = loader;
    }

    @Incoming("model-events-in")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        ModelEvent event = ModelEventReader.read(record.key(), record.value()); // a bad record throws: to the DLQ
        if (registry.apply(event)) {
            loader.sync(event.adapterId());
        }
    }
}
