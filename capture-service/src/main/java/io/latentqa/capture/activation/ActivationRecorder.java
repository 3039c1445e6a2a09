package io.latentqa.capture.activation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

import org.jboss.logging.Logger;

import io.latentqa.capture.CaptureConfig;
import io.latentqa.capture.generate.GenerationResult;
import io.latentqa.capture.runtime.ModelHolder;
import io.latentqa.capture.spool.EventPublisher;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.ClaimCheck;
import io.latentqa.core.events.LocalBlobStore;
import io.latentqa.core.events.Positions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns what a request captured into one activation event (safetensors, see docs/activation-events.md),
 * moves it to the blob store behind a claim check when it is over the inline limit, and hands the Kafka
 * value to the {@link EventPublisher} (key and event id: the request id).
 */
@ApplicationScoped
public class ActivationRecorder {

    private static final Logger LOG = Logger.getLogger(ActivationRecorder.class);

    private final ModelHolder holder;
    private final EventPublisher publisher;
    private final ClaimCheck claimCheck;
    private final String topic;

    ActivationRecorder(ModelHolder holder, EventPublisher publisher, CaptureConfig config) {
        this.holder = holder;
        this.publisher = publisher;
        this.topic = config.activationsTopic();
        try {
            this.claimCheck = new ClaimCheck(new LocalBlobStore(config.blobDir()), config.inlineLimit());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the blob store at " + config.blobDir()
                    + " (latentqa.capture.blob-dir)", e);
        }
    }

    /**
     * Builds, encodes and spools the event of one request.
     *
     * @param dialog the dialog as JSON (ignored when the spec redacts)
     * @return what happened; never throws for a bad event (the answer to the client must not depend on it)
     */
    public CapturedEvent record(String requestId, ActivationEvent.Source source, CaptureSpec spec,
            GenerationResult result, String dialog) {
        int[] ids = result.capturedIds();
        int[] layers = spec.layers();
        Positions positions = spec.positions();
        String dtype = spec.dtype().name();
        if (positions.kind() == Positions.Kind.RANGE && positions.end() > ids.length) {
            if (positions.start() >= ids.length) {
                return failed(requestId, spec, ids.length, "positions " + positions + " start past the sequence of "
                        + ids.length + " tokens: nothing to capture");
            }
            positions = Positions.range(positions.start(), ids.length);
        }
        try {
            float[][] residuals = new float[layers.length][];
            for (int l = 0; l < layers.length; l++) {
                residuals[l] = result.residuals().get(layers[l]);
            }
            ActivationEvent event = ActivationEvent.capture(holder.modelId(), holder.digest(), layers, positions,
                    source, requestId, Instant.now(), spec.redact() ? null : dialog, residuals, ids, result.dModel());
            byte[] bytes = ActivationEventCodec.encode(event, spec.dtype());
            byte[] value = claimCheck.toValue(bytes);
            EventPublisher.Status status = publisher.publish(topic, requestId, value);
            return new CapturedEvent(requestId, topic, layers, positions.toString(), dtype, event.tokens(), ids.length,
                    bytes.length, value != bytes, spec.redact(),
                    status == EventPublisher.Status.SPOOLED ? "spooled" : "rejected",
                    status == EventPublisher.Status.SPOOLED ? null : "the event spool is full or unwritable: the event"
                            + " was not stored (see the capture-service log and latentqa_capture_spool_rejected_total)");
        } catch (IOException | RuntimeException e) {
            LOG.errorf(e, "activation event of request %s was not published", requestId);
            return failed(requestId, spec, ids.length, e.getMessage());
        }
    }

    private CapturedEvent failed(String requestId, CaptureSpec spec, int sequenceTokens, String error) {
        return new CapturedEvent(requestId, topic, spec.layers(), spec.positions().toString(), spec.dtype().name(), 0,
                sequenceTokens, 0, false, spec.redact(), "failed", error);
    }
}
