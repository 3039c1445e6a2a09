package io.latentqa.dataset.generate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Stores the completions capture-service sends back. In: channel {@code capture-results-in} (topic
 * latentqa.capture-results, key: job id). An answer that cannot be read is nacked, which sends it to
 * latentqa.capture-results.dlq with the reason in its headers.
 */
@ApplicationScoped
public class CaptureResultConsumer {

    private final CaptureResultHandler handler;

    CaptureResultConsumer(CaptureResultHandler handler) {
        this.handler = handler;
    }

    @Incoming("capture-results-in")
    @Blocking
    public void consume(ConsumerRecord<String, String> record) {
        handler.handle(record.value());
    }
}
