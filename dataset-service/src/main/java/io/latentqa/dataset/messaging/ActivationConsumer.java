package io.latentqa.dataset.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.latentqa.dataset.capture.CaptureStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Stores the dialogs captured for datasets. In: channel {@code activations-in} (topic latentqa.activations;
 * only events with source=dataset are kept). A record that cannot be read is nacked, which sends it to
 * latentqa.activations.dlq with the reason in its headers; the next record is processed as usual.
 */
@ApplicationScoped
public class ActivationConsumer {

    private final CaptureStore captures;

    ActivationConsumer(CaptureStore captures) {
        this.captures = captures;
    }

    @Incoming("activations-in")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        captures.store(record.key(), record.value());
    }
}
