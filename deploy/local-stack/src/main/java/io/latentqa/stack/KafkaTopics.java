package io.latentqa.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the platform's topics and their dead-letter topics ({@code <topic>.dlq}) on a broker.
 *
 * <pre>
 * java -cp 'deploy/local-stack/target/lib/*:...' io.latentqa.stack.KafkaTopics --bootstrap 127.0.0.1:19092
 * </pre>
 */
public final class KafkaTopics {

    /** Largest record a topic accepts: activation events up to the 1 MiB inline limit fit with room to spare. */
    public static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    private KafkaTopics() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args, "bootstrap");
        int partitions = Integer.parseInt(options.getOrDefault("partitions", "1"));
        List<String> topics = platformTopics();
        List<String> created = create(options.get("bootstrap"), topics, partitions);
        System.out.printf("topics: %d present, %d created now%n", topics.size(), created.size());
    }

    /** @return the platform's topics (from {@code topics.txt}), each followed by its {@code .dlq} topic */
    public static List<String> platformTopics() {
        List<String> topics = new ArrayList<>();
        try (InputStream in = KafkaTopics.class.getResourceAsStream("topics.txt");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String topic = line.strip();
                if (!topic.isEmpty() && !topic.startsWith("#")) {
                    topics.add(topic);
                    topics.add(topic + ".dlq");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read io/latentqa/stack/topics.txt from the class path", e);
        }
        return topics;
    }

    /**
     * Creates the topics that do not exist yet (replication factor 1, {@value #MAX_MESSAGE_BYTES} bytes max).
     *
     * @param bootstrap the broker's {@code host:port}
     * @param topics topic names
     * @param partitions partitions of each new topic
     * @return the topics created by this call
     * @throws InterruptedException if interrupted while waiting for the broker
     * @throws ExecutionException if the broker refuses for another reason than "exists"
     */
    public static List<String> create(String bootstrap, Collection<String> topics, int partitions)
            throws InterruptedException, ExecutionException {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        List<String> created = new ArrayList<>();
        try (Admin admin = Admin.create(config)) {
            List<NewTopic> requests = topics.stream()
                    .map(name -> new NewTopic(name, partitions, (short) 1)
                            .configs(Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES))))
                    .toList();
            var results = admin.createTopics(requests).values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get();
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        return created;
    }
}
