package io.latentqa.capture.spool;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.latentqa.capture.CaptureConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Publishes capture's records (activation events, dataset replies) to Kafka through the {@link EventSpool}:
 * {@link #publish} only writes the spool (fsync) and returns, so requests are answered whatever Kafka
 * does; a sender thread sends the spooled records in order with a plain idempotent Kafka producer and
 * deletes each one once the broker acknowledged it. While the broker is unreachable the spool grows (up to
 * its limits) and the sender retries with backoff; everything spooled goes out when the broker is back.
 * Records go one at a time, each after the previous one's acknowledgement, so none overtakes one that
 * failed. Delivery is at least once: a record whose acknowledgement was lost is sent again.
 */
@ApplicationScoped
public class EventPublisher {

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    /** What became of a record handed to {@link #publish}. */
    public enum Status {
        /** On disk, waiting for (or already past) the broker. */
        SPOOLED,
        /** Refused: the spool is full or the disk failed. Counted and logged. */
        REJECTED
    }

    private final EventSpool spool;
    private final String bootstrap;
    private final String activationsTopic;
    private final CaptureConfig.Spool settings;
    private final Counter rejectedFull;
    private final Counter rejectedIo;
    private final Counter published;
    private final Counter publishedBytes;
    private final Counter sendFailures;
    private volatile boolean running = true;
    private volatile boolean brokerReachable = true;
    private volatile Instant unreachableSince;
    private volatile String lastError;
    private KafkaProducer<String, byte[]> producer;
    private Thread sender;

    EventPublisher(CaptureConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
            MeterRegistry registry) {
        this.settings = config.spool();
        this.spool = new EventSpool(settings.dir(), settings.maxBytes(), settings.maxRecords());
        this.bootstrap = bootstrap;
        this.activationsTopic = config.activationsTopic();
        Gauge.builder("latentqa.capture.spool.records", spool, EventSpool::size)
                .description("records waiting in the on-disk spool for the Kafka broker").register(registry);
        Gauge.builder("latentqa.capture.spool.bytes", spool, EventSpool::bytes)
                .description("bytes waiting in the on-disk spool").register(registry);
        Gauge.builder("latentqa.capture.spool.limit.bytes", spool, EventSpool::maxBytes)
                .description("byte limit of the spool").register(registry);
        this.rejectedFull = Counter.builder("latentqa.capture.spool.rejected")
                .tag("reason", "full").description("records lost because the spool was full").register(registry);
        this.rejectedIo = Counter.builder("latentqa.capture.spool.rejected")
                .tag("reason", "io").description("records lost because the spool could not be written")
                .register(registry);
        this.published = Counter.builder("latentqa.capture.events.published")
                .description("activation events acknowledged by Kafka").register(registry);
        this.publishedBytes = Counter.builder("latentqa.capture.events.published.bytes")
                .description("bytes of activation event values acknowledged by Kafka").register(registry);
        this.sendFailures = Counter.builder("latentqa.capture.kafka.send.failures")
                .description("send windows that failed (broker unreachable or refusing)").register(registry);
    }

    void start(@Observes StartupEvent event) {
        Duration delivery = settings.deliveryTimeout();
        long requestTimeout = Math.max(1000, Math.min(5000, delivery.toMillis() / 2));
        Map<String, Object> props = Map.ofEntries(
                Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                Map.entry(ProducerConfig.CLIENT_ID_CONFIG, "latentqa-capture-events"),
                Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
                Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                Map.entry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024),
                // records go one at a time (sendWindow): nothing to wait for
                Map.entry(ProducerConfig.LINGER_MS_CONFIG, 0),
                Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout),
                Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) delivery.toMillis()),
                Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, delivery.toMillis()),
                Map.entry(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        sender = new Thread(this::sendLoop, "capture-event-sender");
        sender.setDaemon(true);
        sender.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (sender != null) {
            sender.interrupt();
            try {
                sender.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (spool.size() > 0) {
            LOG.warnf("event spool keeps %d records (%d bytes) for the next start", spool.size(), spool.bytes());
        }
    }

    /**
     * Spools a record for sending. Never blocks on Kafka.
     *
     * @return SPOOLED, or REJECTED (logged as an error and counted) when the spool is full or unwritable
     */
    public Status publish(String topic, String key, byte[] value) {
        try {
            spool.append(topic, key, value);
            return Status.SPOOLED;
        } catch (SpoolFullException e) {
            rejectedFull.increment();
            LOG.errorf("SPOOL FULL: record %s for %s was NOT stored and is lost: %s (broker %s: %s)", key, topic,
                    e.getMessage(), brokerReachable ? "reachable" : "unreachable", lastError);
            return Status.REJECTED;
        } catch (IOException | RuntimeException e) {
            rejectedIo.increment();
            LOG.errorf(e, "record %s for %s was NOT stored and is lost: the spool %s cannot be written", key, topic,
                    spool.dir());
            return Status.REJECTED;
        }
    }

    /** Sends the spooled records in order; on failure waits (backoff) and sends the unacknowledged ones again. */
    private void sendLoop() {
        long backoff = 100;
        while (running) {
            try {
                if (!spool.awaitRecords(1000)) {
                    continue;
                }
                List<SpooledRecord> window = spool.peek(settings.sendWindow());
                Exception failure = sendWindow(window);
                if (failure == null) {
                    if (!brokerReachable) {
                        LOG.infof("Kafka broker %s reachable again after %s; %d records still spooled", bootstrap,
                                Duration.between(unreachableSince, Instant.now()), spool.size());
                    }
                    brokerReachable = true;
                    unreachableSince = null;
                    backoff = 100;
                } else {
                    sendFailures.increment();
                    lastError = failure.toString();
                    if (brokerReachable) {
                        unreachableSince = Instant.now();
                        LOG.warnf("Kafka broker %s unreachable (%s): activation events are spooled on disk in %s"
                                + " until it is back (%d records now)", bootstrap, failure, spool.dir(), spool.size());
                    }
                    brokerReachable = false;
                    Thread.sleep(backoff);
                    backoff = Math.min(backoff * 2, settings.maxBackoff().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                LOG.errorf(e, "event sender: cannot read the spool %s; retrying", spool.dir());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Sends the records of a window one at a time, each only after the previous one was acknowledged, and
     * removes each acknowledged one from the spool. One at a time because a failed send must never be
     * overtaken: with several in flight, a record that failed (the broker was down) could be followed by
     * later ones that went through (it came back), and the retry would land after them.
     *
     * @return null when all were acknowledged, else the failure that stopped the window
     */
    private Exception sendWindow(List<SpooledRecord> window) throws IOException, InterruptedException {
        long wait = settings.deliveryTimeout().toMillis() + 5000;
        for (SpooledRecord record : window) {
            try {
                producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()))
                        .get(wait, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                return e.getCause() instanceof Exception cause ? cause : e;
            } catch (TimeoutException | RuntimeException e) {
                return e;
            }
            spool.remove(record);
            if (record.topic().equals(activationsTopic)) {
                published.increment();
                publishedBytes.increment(record.value().length);
            }
        }
        return null;
    }

    /** True unless records are waiting and the last send failed. */
    public boolean healthy() {
        return spool.size() == 0 || brokerReachable;
    }

    public boolean brokerReachable() {
        return brokerReachable;
    }

    public Instant unreachableSince() {
        return unreachableSince;
    }

    public String lastError() {
        return lastError;
    }

    public EventSpool spool() {
        return spool;
    }

    public long rejected() {
        return spool.rejected() + (long) rejectedIo.count();
    }
}
