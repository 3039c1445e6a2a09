package io.latentqa.dataset.generate;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Sends capture requests. Out: channel {@code capture-requests-out} (topic latentqa.capture-requests, key: job id). */
@ApplicationScoped
public class CaptureRequestProducer {

    @Inject
    @Channel("capture-requests-out")
    MutinyEmitter<String> emitter;

    /**
     * Sends one request and waits for the broker's acknowledgement.
     *
     * @param jobId the record key
     * @param request the request as JSON
     * @throws RuntimeException when the broker does not take it
     */
    public void send(String jobId, String request) {
        emitter.sendMessageAndAwait(KafkaRecord.of(jobId, request));
    }
}
