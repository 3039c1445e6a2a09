package io.latentqa.steering.messaging;

import java.io.IOException;
import java.nio.file.Files;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.ClaimCheck;
import io.latentqa.core.events.InvalidActivationEventException;
import io.latentqa.core.events.LocalBlobStore;
import io.latentqa.steering.SteeringServiceConfig;
import io.latentqa.steering.runtime.ModelHolder;
import io.latentqa.steering.score.ControlScoreEngine;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hands each activation event to the control scores (a non-blocking offer). In: channel {@code activations-in} (topic
 * latentqa.activations). A record that is not a valid activation event of this model is nacked, which sends it to
 * latentqa.activations.dlq with the reason in its headers; the next record is processed as usual.
 */
@ApplicationScoped
public class ActivationScoreConsumer {

    private final ControlScoreEngine scores;
    private final ModelHolder models;
    private final ClaimCheck claimCheck;

    ActivationScoreConsumer(ControlScoreEngine scores, ModelHolder models, SteeringServiceConfig config) throws IOException {
        this.scores = scores;
        this.models = models;
        Files.createDirectories(config.blobDir());
        this.claimCheck = new ClaimCheck(new LocalBlobStore(config.blobDir()));
    }

    @Incoming("activations-in")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        ActivationEvent event;
        try {
            event = ActivationEventCodec.decode(claimCheck.resolve(record.value()));
        } catch (InvalidActivationEventException e) {
            throw new IllegalArgumentException("activation event " + record.key() + " rejected: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("activation event " + record.key() + " is a claim check whose blob cannot be"
                    + " read: " + e.getMessage(), e);
        }
        if (record.key() != null && !record.key().equals(event.requestId())) {
            throw new IllegalArgumentException("record key '" + record.key() + "' differs from the event's request_id '"
                    + event.requestId() + "'; the key must be the request id");
        }
        String digest = event.modelDigest() == null ? "" : event.modelDigest().replace("sha256:", "");
        if (!digest.equals(models.digest()) || event.dModel() != models.model().config().dim()) {
            throw new IllegalArgumentException("activation event " + record.key() + " is of model '" + event.modelId()
                    + "' (digest " + digest + ", d_model " + event.dModel() + "); this service steers " + models.modelId()
                    + " (digest " + models.digest() + ")");
        }
        scores.submit(event);
    }
}
