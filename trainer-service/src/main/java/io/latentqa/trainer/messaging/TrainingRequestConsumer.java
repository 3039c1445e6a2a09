package io.latentqa.trainer.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.latentqa.trainer.run.RunService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Queues a run for each training request. In: channel {@code training-requests-in}
 * (topic latentqa.training-requests). A request that cannot be queued is nacked, which sends it to
 * latentqa.training-requests.dlq with the reason in its headers; the next record is processed as usual.
 */
@ApplicationScoped
public class TrainingRequestConsumer {

    private final RunService runs;

    TrainingRequestConsumer(RunService runs) {
        this.runs = runs;
    }

    @Incoming("training-requests-in")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        runs.queue(record.key(), record.value());
    }
}
