package io.latentqa.decoder.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.decoder.DecoderConfig;
import io.latentqa.decoder.adapter.DecoderAdapters;
import io.latentqa.decoder.adapter.DecoderChoice;
import io.latentqa.decoder.messaging.ReadingProducer;
import io.latentqa.decoder.reading.CandidateScore;
import io.latentqa.decoder.reading.DecoderReader;
import io.latentqa.decoder.reading.IncompatibleActivationsException;
import io.latentqa.decoder.reading.ReadItem;
import io.latentqa.decoder.reading.ReadVectors;
import io.latentqa.decoder.reading.Reading;
import io.latentqa.decoder.reading.ScoreItem;
import io.latentqa.decoder.runtime.ModelHolder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Evaluates every monitor on every activation event. Events wait in a bounded queue; one worker takes up to
 * {@code batch-events} at a time and runs the work of all their monitors batched across monitors and events:
 * regex monitors as batched generations, choice monitors as batched scorings, each of at most {@code max-rows}
 * decoder rows. When the queue is full a new event is shed explicitly: counted
 * ({@code latentqa.decoder.monitor.shed}) and logged, never queued without bound. Readings go to PostgreSQL
 * and latentqa.readings; flagged ones are counted.
 */
@ApplicationScoped
public class MonitorEngine {

    private static final Logger LOG = Logger.getLogger(MonitorEngine.class);

    private final BlockingQueue<ActivationEvent> queue;
    private final MonitorService monitors;
    private final MonitorRepository repository;
    private final ReadingProducer producer;
    private final DecoderAdapters adapters;
    private final DecoderReader reader;
    private final DecoderConfig.Monitor settings;
    private final Counter shed;
    private final Counter readings;
    private final Counter flagged;
    private final Counter skipped;
    private final AtomicLong lagMillis = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    private volatile Thread worker;

    MonitorEngine(MonitorService monitors, MonitorRepository repository, ReadingProducer producer,
            DecoderAdapters adapters, ModelHolder holder, DecoderConfig config, MeterRegistry registry) {
        this.monitors = monitors;
        this.repository = repository;
        this.producer = producer;
        this.adapters = adapters;
        this.reader = holder.reader();
        this.settings = config.monitor();
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.shed = registry.counter("latentqa.decoder.monitor.shed");
        this.readings = registry.counter("latentqa.decoder.monitor.readings");
        this.flagged = registry.counter("latentqa.decoder.monitor.flagged");
        this.skipped = registry.counter("latentqa.decoder.monitor.skipped");
        Gauge.builder("latentqa.decoder.monitor.queue", queue, BlockingQueue::size).register(registry);
        // monitor lag in time: how old the oldest waiting event is (0 when idle); the Kafka offset lag is
        // ConsumerLag's gauge
        Gauge.builder("latentqa.decoder.monitor.lag.seconds", this, MonitorEngine::lagSeconds).register(registry);
    }

    void start(@Observes StartupEvent startup) {
        Thread thread = new Thread(this::run, "monitor-engine");
        thread.setDaemon(true);
        worker = thread;
        thread.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        Thread thread = worker;
        worker = null;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /**
     * Queues an event for the monitors without blocking.
     *
     * @return false if the event was shed because the queue is full
     */
    public boolean submit(ActivationEvent event) {
        if (monitors.active().isEmpty()) {
            return true;
        }
        if (queue.offer(event)) {
            return true;
        }
        shed.increment();
        LOG.warnf("monitor queue full (%d events): shed activation event %s; shed so far %.0f", queue.size(),
                event.requestId(), shed.count());
        return false;
    }

    /** Events evaluated so far. */
    public long processed() {
        return processed.get();
    }

    public double shedCount() {
        return shed.count();
    }

    double lagSeconds() {
        ActivationEvent head = queue.peek();
        long waiting = head == null ? 0 : Duration.between(head.createdAt(), Instant.now()).toMillis();
        return Math.max(waiting, head == null ? 0 : lagMillis.get()) / 1000.0;
    }

    private void run() {
        while (worker == Thread.currentThread()) {
            List<ActivationEvent> batch = new ArrayList<>();
            try {
                ActivationEvent first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, settings.batchEvents() - 1);
                evaluate(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.errorf(e, "monitor evaluation of %d event(s) failed: %s", batch.size(), e.getMessage());
            } finally {
                processed.addAndGet(batch.size());
            }
        }
    }

    /**
     * Runs every matching monitor on a batch of events (also usable directly, e.g. by a benchmark): the choice
     * monitors of all the events as batched scorings of up to {@code max-rows} candidate rows (a monitor with more
     * candidates than that is scored alone), then the regex monitors of all the events as batched generations of
     * up to {@code max-rows} rows.
     */
    public void evaluate(List<ActivationEvent> events) {
        List<Monitor> all = monitors.active();
        try (DecoderAdapters.Lease lease = adapters.acquire(null)) {
            DecoderChoice choice = lease.choice();
            List<Pending<ReadItem>> generate = new ArrayList<>();
            List<Pending<ScoreItem>> score = new ArrayList<>();
            for (ActivationEvent event : events) {
                lagMillis.set(Duration.between(event.createdAt(), Instant.now()).toMillis());
                List<Monitor> matching = all.stream()
                        .filter(m -> m.matches(event.modelId(), event.source().wireName())).toList();
                if (matching.isEmpty()) {
                    continue;
                }
                ReadVectors vectors;
                try {
                    vectors = reader.vectors(event, choice.readLayer());
                } catch (IncompatibleActivationsException e) {
                    skipped.increment();
                    LOG.infof("monitors skip activation event %s: %s", event.requestId(), e.getMessage());
                    continue;
                }
                for (Monitor monitor : matching) {
                    if (Monitor.REGEX.equals(monitor.rule())) {
                        generate.add(new Pending<>(event, monitor, new ReadItem(vectors, monitor.question())));
                    } else {
                        score.add(new Pending<>(event, monitor,
                                new ScoreItem(vectors, monitor.question(), monitor.answers(), monitor.normalise())));
                    }
                }
            }
            // choice monitors first: one scoring pass each, so their readings are out before the generations run
            runChoices(score, choice);
            runRegexes(generate, choice);
        }
    }

    /** Choice monitors in batched scorings of up to max-rows candidate rows. */
    private void runChoices(List<Pending<ScoreItem>> work, DecoderChoice choice) {
        int from = 0;
        while (from < work.size()) {
            int to = from + 1;
            int rows = work.get(from).item().answers().size();
            while (to < work.size() && rows + work.get(to).item().answers().size() <= settings.maxRows()) {
                rows += work.get(to).item().answers().size();
                to++;
            }
            List<Pending<ScoreItem>> chunk = work.subList(from, to);
            List<List<CandidateScore>> scores = reader.score(chunk.stream().map(Pending::item).toList(),
                    choice.modelAdapter(), choice.writeLayer());
            for (int i = 0; i < chunk.size(); i++) {
                Monitor monitor = chunk.get(i).monitor();
                CandidateScore best = scores.get(i).stream().filter(s -> s.rank() == 1).findFirst().orElseThrow();
                double p = scores.get(i).stream().filter(s -> s.answer().equals(monitor.flagAnswer()))
                        .findFirst().orElseThrow().probability();
                record(chunk.get(i).event(), monitor, best.answer(), p, p >= monitor.threshold(), choice.label());
            }
            from = to;
        }
    }

    /** Regex monitors in batched generations of up to max-rows rows. */
    private void runRegexes(List<Pending<ReadItem>> work, DecoderChoice choice) {
        for (int from = 0; from < work.size(); from += settings.maxRows()) {
            List<Pending<ReadItem>> chunk = work.subList(from, Math.min(work.size(), from + settings.maxRows()));
            List<Reading> answers = reader.read(chunk.stream().map(Pending::item).toList(),
                    reader.greedy(settings.maxNewTokens()), choice.modelAdapter(), choice.writeLayer());
            for (int i = 0; i < chunk.size(); i++) {
                Monitor monitor = chunk.get(i).monitor();
                String answer = answers.get(i).answer();
                boolean match = Pattern.compile(monitor.pattern()).matcher(answer).find();
                record(chunk.get(i).event(), monitor, answer, match ? 1 : 0, match, choice.label());
            }
        }
    }

    /** One monitor's work on one event, waiting for its batch. */
    private record Pending<T>(ActivationEvent event, Monitor monitor, T item) {
    }

    private void record(ActivationEvent event, Monitor monitor, String answer, double score, boolean isFlagged,
            String adapter) {
        ReadingRecord reading = new ReadingRecord(event.requestId(), monitor.id(), monitor.question(), answer, score,
                isFlagged, event.modelId(), adapter, Instant.now());
        repository.insertReading(reading);
        producer.send(reading);
        readings.increment();
        if (isFlagged) {
            flagged.increment();
            LOG.infof("monitor %s flagged activation event %s: %s", monitor.name(), event.requestId(), answer);
        }
    }
}
