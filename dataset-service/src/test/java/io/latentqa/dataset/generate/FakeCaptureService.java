package io.latentqa.dataset.generate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Plays capture-service's side of the contract with plain Kafka clients on the real test broker: reads
 * latentqa.capture-requests from the moment it starts and answers on the request's replyTopic as a policy says.
 */
final class FakeCaptureService implements AutoCloseable {

    /** What to do with a request. */
    enum Action {
        ANSWER, ANSWER_TWICE, ERROR, IGNORE
    }

    /** A request as seen: its key and value. */
    record Seen(String key, JsonNode value) {
    }

    static final String DIGEST = "ab".repeat(32);

    private final ObjectMapper json = new ObjectMapper();
    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> producer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile BiFunction<JsonNode, Integer, Action> policy;
    final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Integer> timesSeen = new ConcurrentHashMap<>();

    /**
     * @param policy given the request and how many times its id was seen (1 the first time), what to do
     */
    FakeCaptureService(String bootstrap, BiFunction<JsonNode, Integer, Action> policy) {
        this.policy = policy;
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer());
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        List<TopicPartition> partitions = consumer.partitionsFor("latentqa.capture-requests", Duration.ofSeconds(30))
                .stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // resolve the end offsets now, so that every request sent after this constructor is seen
        partitions.forEach(consumer::position);
        thread = new Thread(this::loop, "fake-capture-service");
        thread.start();
    }

    void policy(BiFunction<JsonNode, Integer, Action> policy) {
        this.policy = policy;
    }

    /** @return the requests seen for one job */
    List<Seen> requestsOf(String jobId) {
        synchronized (seen) {
            return seen.stream().filter(request -> jobId.equals(request.key())).toList();
        }
    }

    private void loop() {
        while (running) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                try {
                    JsonNode request = json.readTree(record.value());
                    seen.add(new Seen(record.key(), request));
                    String id = request.path("requestId").asText();
                    int times = timesSeen.merge(id, 1, Integer::sum);
                    switch (policy.apply(request, times)) {
                        case ANSWER -> answer(record.key(), request, null);
                        case ANSWER_TWICE -> {
                            answer(record.key(), request, null);
                            answer(record.key(), request, null);
                        }
                        case ERROR -> answer(record.key(), request, "model busy");
                        case IGNORE -> {
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("fake capture-service cannot handle " + record.value(), e);
                }
            }
        }
    }

    /** Answers a request now (also usable from the test thread). */
    void answer(String key, JsonNode request, String error) throws Exception {
        ObjectNode result = json.createObjectNode();
        String id = request.path("requestId").asText();
        result.put("requestId", id);
        result.put("jobId", request.path("jobId").asText());
        if (error != null) {
            result.put("error", error);
        } else {
            result.put("completion", "They played together all day. [" + id + "]");
            result.put("modelId", "stories260K");
            result.put("modelDigest", DIGEST);
            result.set("settings", request.path("settings"));
            result.put("activationEventId", id);
        }
        producer.send(new ProducerRecord<>(request.path("replyTopic").asText(), key, result.toString()))
                .get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
        consumer.close();
        producer.close();
    }
}
