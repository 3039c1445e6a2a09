package io.latentqa.capture.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.latentqa.capture.adapter.ModelEventReader;
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
    private final ModelEventReader reader;
    private final SteeringAdapterLoader loader;

    ModelEventConsumer(SteeringAdapterRegistry registry, ModelEventReader reader, SteeringAdapterLoader loader) {
        this.registry = registry;
        this.reader = reader;
        this.loader = loader;
    }

    @Incoming("model-events-in")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        if (registry.apply(record.key(), record.value())) {
            loader.sync(reader.read(record.key(), record.value()).adapterId());
        }
    }
}
