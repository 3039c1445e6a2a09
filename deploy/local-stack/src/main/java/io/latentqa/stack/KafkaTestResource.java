package io.latentqa.stack;

import java.util.Map;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real single-node KRaft broker inside the test JVM (Kafka's own {@link KafkaClusterTestKit}), with the
 * platform's topics created. Sets {@code kafka.bootstrap.servers} for the application under test.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    private KafkaClusterTestKit cluster;

    @Override
    public Map<String, String> start() {
        try {
            cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            .build())
                    // one broker: the internal topics cannot have three replicas, or consumers wait forever
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("message.max.bytes", Integer.toString(KafkaTopics.MAX_MESSAGE_BYTES))
                    .setConfigProp("replica.fetch.max.bytes", Integer.toString(KafkaTopics.MAX_MESSAGE_BYTES))
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            String bootstrap = cluster.bootstrapServers();
            KafkaTopics.create(bootstrap, KafkaTopics.platformTopics(), 1);
            return Map.of("kafka.bootstrap.servers", bootstrap);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test Kafka broker: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop the test Kafka broker", e);
            }
        }
    }
}
