package io.latentqa.decoder.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.decoder.activation.ActivationLog;
import io.latentqa.decoder.cache.StreamCache;
import io.latentqa.decoder.monitor.MonitorEngine;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Logs each activation event, keeps it in the stream cache and hands it to the monitors (a non-blocking
 * offer: a full monitor queue sheds the event, it never stalls the consumer). In: channel
 * {@code activations-in} (topic latentqa.activations). A record that is not a valid activation event of this
 * model is nacked, which sends it to latentqa.activations.dlq with the reason in its headers; the next record
 * is processed as usual.
 */
@ApplicationScoped
public class ActivationConsumer {

    private final ActivationLog log;
    private final StreamCache cache;
    private final MonitorEngine monitors;

    ActivationConsumer(ActivationLog log, StreamCache cache, MonitorEngine monitors) {
        this.log = log;
        this.cache = cache;
        this.monitors = monitors;
    }

    @Incoming("activations-in")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        ActivationEvent event = log.record(record.key(), record.value(), record.partition(), record.offset());
        cache.put(event);
        monitors.submit(event);
    }
}
