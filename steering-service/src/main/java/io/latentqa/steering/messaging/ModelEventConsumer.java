package io.latentqa.steering.messaging;

import io.latentqa.core.events.ModelEventReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.latentqa.steering.adapter.DecoderAdapterCatalog;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps the catalogue of decoder adapters current. In: channel {@code model-events-in} (topic
 * latentqa.model-events). A record that cannot be read is nacked, which sends it to
 * latentqa.model-events.dlq with the reason in its headers; the next record is processed as usual.
 */
@ApplicationScoped
public class ModelEventConsumer {

    private final DecoderAdapterCatalog catalog;

    ModelEventConsumer(DecoderAdapterCatalog catalog) {
        this.catalog = catalog;
    }

    @Incoming("model-events-in")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        catalog.apply(ModelEventReader.read(record.key(), record.value())); // a bad record throws: to the DLQ
    }
}
