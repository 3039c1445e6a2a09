package io.latentqa.capture;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The broker is stopped (a real process, SIGTERM) and started again on the same address while clients keep
 * chatting: every request is answered, readiness reports the spool as degraded and the spool metrics show the
 * records waiting meanwhile, and once the broker is back every request's activation event is on
 * latentqa.activations (counted by request id), each client's events in the order of its requests. (A full
 * spool, the one case where records are lost, is counted and logged: EventPublisherTest.)
 */
@QuarkusTest
@WithTestResource(RestartableKafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class KafkaOutageTest {

    static final int CLIENTS = 3;

    @Test
    void brokerStoppedAndRestartedUnderLoadLosesNoEvent() throws Exception {
        Set<String> answered = ConcurrentHashMap.newKeySet();
        Map<Integer, List<String>> answeredByClient = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger answeredWhileDown = new AtomicInteger();
        AtomicBoolean brokerDown = new AtomicBoolean();
        AtomicBoolean load = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            List<String> ids = new CopyOnWriteArrayList<>();
            answeredByClient.put(client, ids);
            clients.submit(() -> {
                for (int n = 0; load.get(); n++) {
                    try {
                        JsonPath answer = given().contentType("application/json")
                                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Client " + client + " asks question "
                                        + n + ": name an animal.\"}], \"max_tokens\": 3, \"seed\": " + n + "}")
                                .when().post("/v1/chat/completions")
                                .then().statusCode(200).extract().jsonPath();
                        assertEquals("spooled", answer.getString("latentqa.activationEvent.status"));
                        answered.add(answer.getString("id"));
                        ids.add(answer.getString("id"));
                        if (brokerDown.get()) {
                            answeredWhileDown.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.incrementAndGet();
                        e.printStackTrace();
                    }
                }
            });
        }
        try {
            await().atMost(Duration.ofMinutes(5)).until(() -> answered.size() >= 4);
            KafkaBrokerProcess.stop();
            brokerDown.set(true);
            System.out.println("outage: broker stopped after " + answered.size() + " answers");

            // readiness goes DOWN with the spool filling; requests are still answered
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                JsonPath health = given().when().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
                Map<String, Object> spool = spoolCheck(health);
                assertEquals("DOWN", spool.get("status"));
                assertEquals("degraded", data(spool).get("state"));
                assertTrue(((Number) data(spool).get("spooledRecords")).intValue() > 0);
            });
            await().atMost(Duration.ofMinutes(5)).until(() -> answeredWhileDown.get() >= 4);
            JsonPath degraded = given().when().get("/q/health/ready").then().extract().jsonPath();
            System.out.println("outage: readiness " + spoolCheck(degraded) + ", " + answeredWhileDown.get()
                    + " answers while the broker was down");
            // the waiting records show in the metrics; none was refused
            String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metric(metrics, "latentqa_capture_spool_records") > 0, "spool records gauge");
            assertTrue(metric(metrics, "latentqa_capture_spool_bytes") > 0, "spool bytes gauge");
            assertEquals(0.0, metric(metrics, "latentqa_capture_spool_rejected_total{reason=\"full\"}"));

            KafkaBrokerProcess.start();
            brokerDown.set(false);
            int atRestart = answered.size();
            await().atMost(Duration.ofMinutes(5)).until(() -> answered.size() >= atRestart + 3);
        } finally {
            load.set(false);
            clients.shutdown();
            clients.awaitTermination(5, TimeUnit.MINUTES);
            if (System.getProperty(KafkaBrokerProcess.PID) == null) {
                KafkaBrokerProcess.start();
            }
        }
        assertEquals(0, failures.get(), "every request was answered");

        // the spool drains and readiness is UP again
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Map<String, Object> spool = spoolCheck(given().when().get("/q/health/ready").then().extract().jsonPath());
            assertEquals("UP", spool.get("status"), String.valueOf(spool));
            assertEquals(0, ((Number) data(spool).get("spooledRecords")).intValue());
        });

        List<String> keys = keysInOrder("latentqa.activations");
        Map<String, Long> published = keys.stream().collect(Collectors.groupingBy(key -> key, Collectors.counting()));
        List<String> lost = answered.stream().filter(id -> !published.containsKey(id)).toList();
        long duplicates = answered.stream().filter(id -> published.getOrDefault(id, 0L) > 1).count();
        System.out.printf("outage: %d requests answered, %d events found, %d lost, %d published more than once%n",
                answered.size(), answered.size() - lost.size(), lost.size(), duplicates);
        assertEquals(List.of(), lost, "no activation event is lost");

        // one partition: each client's events are on it in the order of the client's requests (first copies;
        // a resent window may add later duplicates)
        List<String> firstCopies = keys.stream().distinct().toList();
        for (Map.Entry<Integer, List<String>> client : answeredByClient.entrySet()) {
            List<String> ids = client.getValue();
            assertEquals(ids, firstCopies.stream().filter(ids::contains).toList(),
                    "events of client " + client.getKey() + " in the order of its requests");
        }
    }

    /** The value of a Prometheus sample, e.g. {@code name} or {@code name{label="x"}}; 0 if absent. */
    static double metric(String metrics, String sample) {
        return metrics.lines().filter(line -> line.startsWith(sample + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(sample.length() + 1).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + sample + " in /q/metrics"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spoolCheck(JsonPath health) {
        List<Map<String, Object>> checks = health.getList("checks");
        return checks.stream().filter(c -> "activation-event-spool".equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no activation-event-spool check in " + checks));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(Map<String, Object> check) {
        return (Map<String, Object>) check.get("data");
    }

    /** The key of every record on the (one-partition) topic, in offset order. */
    static List<String> keysInOrder(String topic) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerProcess.bootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    keys.add(record.key());
                }
            }
        }
        return keys;
    }
}
