package io.latentqa.capture.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.latentqa.capture.dataset.CaptureJobReader;
import io.latentqa.capture.dataset.CaptureJobService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Dataset capture jobs. In: channel {@code capture-requests-in} (topic latentqa.capture-requests, key job
 * id). Out (through the event spool): the activation event on latentqa.activations and the reply on the
 * job's reply topic (latentqa.capture-results). Jobs run concurrently on the {@code capture-jobs} worker
 * pool so that they share batches; a record that cannot be read goes to latentqa.capture-requests.dlq with
 * the reason in its headers.
 */
@ApplicationScoped
public class CaptureRequestConsumer {

    private final CaptureJobReader reader;
    private final CaptureJobService jobs;

    CaptureRequestConsumer(CaptureJobReader reader, CaptureJobService jobs) {
        this.reader = reader;
        this.jobs = jobs;
    }

    @Incoming("capture-requests-in")
    @Blocking(value = "capture-jobs", ordered = false)
    public void consume(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        jobs.run(reader.read(record.key(), record.value()));
    }
}
