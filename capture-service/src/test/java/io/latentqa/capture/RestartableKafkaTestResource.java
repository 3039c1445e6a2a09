package io.latentqa.capture;

import java.util.Map;

import io.latentqa.stack.KafkaTopics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real Kafka broker for capture-service's tests that a test can stop and start again on the same
 * address ({@link KafkaBrokerProcess}), with the platform's topics created.
 * Sets {@code kafka.bootstrap.servers} for the application under test.
 */
public class RestartableKafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String bootstrap = KafkaBrokerProcess.create();
        try {
            KafkaTopics.create(bootstrap, KafkaTopics.platformTopics(), 1);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the topics on the test broker: " + e.getMessage(), e);
        }
        return Map.of("kafka.bootstrap.servers", bootstrap);
    }

    @Override
    public void stop() {
        KafkaBrokerProcess.destroy();
    }
}
