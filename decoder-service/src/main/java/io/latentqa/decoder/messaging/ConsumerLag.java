package io.latentqa.decoder.messaging;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Consumer lag of latentqa.activations in records, as the gauge {@code latentqa.decoder.consumer.lag} (Prometheus
 * {@code latentqa_decoder_consumer_lag_records}): over the partitions assigned to channel {@code activations-in},
 * the log end offset minus this group's committed offset (what {@code kafka-consumer-groups.sh} shows as LAG).
 * Offsets are committed once an event is processed, at most {@code auto.commit.interval.ms} (5 s) later, so
 * the gauge counts events not yet processed and reads 0 a few seconds after the consumer caught up. Read at each
 * scrape from the broker; NaN while the consumer has no partitions or the broker does not answer.
 */
@Startup
@ApplicationScoped
public class ConsumerLag {

    private static final Logger LOG = Logger.getLogger(ConsumerLag.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final KafkaClientService clients;

    ConsumerLag(KafkaClientService clients, MeterRegistry registry) {
        this.clients = clients;
        Gauge.builder("latentqa.decoder.consumer.lag", this, ConsumerLag::records)
                .description("latentqa.activations records not yet processed by this consumer group")
                .baseUnit("records")
                .register(registry);
    }

    /** End offset minus committed offset, summed over the assigned partitions. */
    public double records() {
        KafkaConsumer<String, byte[]> consumer = clients.getConsumer("activations-in");
        if (consumer == null) {
            return Double.NaN;
        }
        try {
            return consumer.runOnPollingThread(ConsumerLag::lag).await().atMost(TIMEOUT.multipliedBy(2));
        } catch (RuntimeException e) {
            LOG.debugf("consumer lag not available: %s", e.getMessage());
            return Double.NaN;
        }
    }

    private static double lag(Consumer<String, byte[]> consumer) {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return Double.NaN;
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(assigned, TIMEOUT);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, TIMEOUT);
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(assigned, TIMEOUT);
        long lag = 0;
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata done = committed.get(partition);
            // nothing committed yet: the group reads from the beginning (auto.offset.reset=earliest)
            long next = done == null ? beginning.get(partition) : done.offset();
            lag += Math.max(0, end.get(partition) - next);
        }
        return lag;
    }
}
