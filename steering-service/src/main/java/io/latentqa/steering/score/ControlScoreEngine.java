package io.latentqa.steering.score;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.Positions;
import io.latentqa.steering.SteeringServiceConfig;
import io.latentqa.steering.control.ControlRepository;
import io.latentqa.steering.control.DecoderLoss;
import io.latentqa.steering.runtime.ModelHolder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Scores every activation event against every scoring control (method doc §6's control loss on live traffic) on
 * one worker thread, and publishes each score on latentqa.control-scores (key: the event's request id) and as the
 * metric {@code latentqa.steering.control.score} tagged with the control. Events wait in a bounded queue; when it is
 * full a new event is shed, counted ({@code latentqa.steering.control.shed}) and logged. An event the decoder cannot
 * read (no read layer, positions other than all, one token) is skipped and counted.
 */
@ApplicationScoped
public class ControlScoreEngine {

    private static final Logger LOG = Logger.getLogger(ControlScoreEngine.class);

    private final BlockingQueue<ActivationEvent> queue;
    private final ControlRepository controls;
    private final DecoderLoss decoders;
    private final ControlScorer scorer;
    private final Emitter<Record<String, String>> emitter;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Counter shed;
    private final Counter skipped;
    private final Map<String, DistributionSummary> summaries = new ConcurrentHashMap<>();
    private final Map<String, String> failedDecoders = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private Thread thread;

    ControlScoreEngine(ControlRepository controls, DecoderLoss decoders, ModelHolder models, SteeringServiceConfig config,
                       @Channel("control-scores-out") Emitter<Record<String, String>> emitter, ObjectMapper json,
                       MeterRegistry registry) {
        this.queue = new ArrayBlockingQueue<>(config.score().queueCapacity());
        this.controls = controls;
        this.decoders = decoders;
        this.scorer = new ControlScorer(models.model(), models.builder());
        this.emitter = emitter;
        this.json = json;
        this.registry = registry;
        this.shed = registry.counter("latentqa.steering.control.shed");
        this.skipped = registry.counter("latentqa.steering.control.skipped");
        Gauge.builder("latentqa.steering.control.queue", queue, BlockingQueue::size).register(registry);
    }

    void onStart(@Observes StartupEvent start) {
        thread = new Thread(this::loop, "control-scores");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent stop) throws InterruptedException {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
            thread.join(30_000);
        }
    }

    /** Queues an event without blocking. @return false if it was shed because the queue is full */
    public boolean submit(ActivationEvent event) {
        if (queue.offer(event)) {
            return true;
        }
        shed.increment();
        LOG.warnf("control score queue full (%d events): shed activation event %s; shed so far %.0f", queue.size(),
                event.requestId(), shed.count());
        return false;
    }

    private void loop() {
        while (!stopping) {
            try {
                ActivationEvent event = queue.poll(1, TimeUnit.SECONDS);
                if (event != null) {
                    score(event);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("control scores: " + e.getMessage(), e);
            }
        }
    }

    /** Scores one event against every scoring control. */
    void score(ActivationEvent event) {
        List<ScoredControl> active = controls.scoring();
        for (ScoredControl control : active) {
            DecoderLoss.Decoder decoder;
            try {
                decoder = decoders.load(control.decoder());
                failedDecoders.remove(control.id());
            } catch (RuntimeException e) {
                if (failedDecoders.put(control.id(), e.getMessage()) == null) {
                    LOG.warnf("control %s is not scored: its decoder %s cannot be loaded: %s", control.id(), control.decoder(),
                            e.getMessage());
                }
                continue;
            }
            float[] vectors = vectors(event, decoder.readLayer());
            if (vectors == null) {
                skipped.increment();
                continue;
            }
            int n = event.tokens() - 1;
            double loss = scorer.score(vectors, n, control.qa(), decoder.adapterName(), decoder.writeLayer());
            ObjectNode value = json.createObjectNode()
                    .put("activationId", event.requestId())
                    .put("controlId", control.id())
                    .put("decoder", decoder.id())
                    .put("readLayer", decoder.readLayer())
                    .put("loss", loss);
            value.putObject("layerLosses").put(Integer.toString(decoder.readLayer()), loss);
            emitter.send(Record.of(event.requestId(), value.toString()));
            summaries.computeIfAbsent(control.id(), id -> DistributionSummary.builder("latentqa.steering.control.score")
                    .description("decoder NLL of the control's answers per activation event (lower: closer to the control)")
                    .tag("control", id).register(registry)).record(loss);
        }
    }

    /** A[1 … T−1] of the read layer, or null when the event does not hold them. */
    private static float[] vectors(ActivationEvent event, int readLayer) {
        int slot = event.slotOf(readLayer);
        if (slot < 0 || event.positions().kind() != Positions.Kind.ALL || event.tokens() < 2) {
            return null;
        }
        int d = event.dModel();
        int n = event.tokens() - 1;
        float[] shown = new float[n * d];
        System.arraycopy(event.activations(), (slot * event.tokens() + 1) * d, shown, 0, n * d);
        return shown;
    }

    /** Events waiting (for tests and the queue gauge). */
    public int queued() {
        return queue.size();
    }

    /** Controls whose decoder failed to load, with the reason. */
    public Map<String, String> unscored() {
        return Map.copyOf(failedDecoders);
    }
}
