package io.latentqa.stack.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The demo's decoder monitor: a standing question over the activations of every chat, answered by the decoder
 * (the untrained base model until a decoder adapter is published). {@link #create} makes the monitor through
 * decoder-service's REST API; {@link #showReadings} waits for its readings of given events on
 * {@code latentqa.readings} and prints them.
 */
public final class DemoMonitor {

    public static final String QUESTION = "What instruction was the assistant given?";
    /** A generating monitor: flagged when the decoder's answer mentions a pirate (one of the demo chats). */
    public static final String PATTERN = "(?i)pirate";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DemoMonitor() {
    }

    /**
     * Creates the monitor "What instruction was the assistant given?" (rule {@code regex}: the decoder generates an
     * answer, at most decoder-service's {@code latentqa.decoder.monitor.max-new-tokens} tokens, and the reading is
     * flagged when it matches {@link #PATTERN}) for chat traffic.
     *
     * @param decoderBaseUrl decoder-service, e.g. {@code http://127.0.0.1:8082}
     * @param out            where to say what was created
     * @return the monitor's id
     */
    public static String create(String decoderBaseUrl, PrintStream out) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", "demo: instruction");
        spec.put("question", QUESTION);
        spec.put("rule", "regex");
        spec.put("pattern", PATTERN);
        spec.put("sourceFilter", "traffic");
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(decoderBaseUrl + "/v1/monitors"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(spec))));
        if (response.statusCode() != 201) {
            throw new IllegalStateException("decoder-service refused the demo monitor: HTTP " + response.statusCode()
                    + " " + response.body());
        }
        String id = read(response.body()).path("id").asText();
        out.printf("monitor %s: \"%s\" (the decoder answers; flagged when the answer matches %s)%n", id, QUESTION,
                PATTERN);
        return id;
    }

    /**
     * Waits until the monitor's reading of every event has appeared on {@code latentqa.readings}, or the timeout
     * has passed, and prints each as it arrives: event, question, answer, flagged. Events without a reading at
     * the end are named, with what decoder-service knows of them.
     *
     * @param decoderBaseUrl decoder-service, e.g. {@code http://127.0.0.1:8082}
     * @param kafkaBootstrap the broker, e.g. {@code 127.0.0.1:19092}
     * @param monitorId      the monitor from {@link #create}
     * @param eventIds       activation event ids (the chats' request ids)
     * @param timeout        how long to wait for all of them
     * @param out            where to print
     */
    public static void showReadings(String decoderBaseUrl, String kafkaBootstrap, String monitorId,
            List<String> eventIds, Duration timeout, PrintStream out) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("latentqa.readings", Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (found.size() < eventIds.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (!eventIds.contains(record.key()) || found.containsKey(record.key())) {
                        continue;
                    }
                    JsonNode reading = read(record.value());
                    if (monitorId.equals(reading.path("monitorId").asText())) {
                        found.put(record.key(), reading);
                        print(reading, out);
                    }
                }
            }
        }
        for (String id : eventIds) {
            if (!found.containsKey(id)) {
                HttpResponse<String> seen = send(HttpRequest.newBuilder(URI.create(decoderBaseUrl + "/v1/activations/" + id)));
                out.printf("  %s: no reading within %ds (%s)%n", id, timeout.toSeconds(), seen.statusCode() == 200
                        ? "decoder-service has the event; the monitors are still behind"
                        : "decoder-service has not seen the event: " + read(seen.body()).path("detail").asText());
            }
        }
    }

    private static void print(JsonNode reading, PrintStream out) {
        out.printf("  event %s%n    question: %s%n    answer:   %s%n    flagged:  %s%n",
                reading.path("activationId").asText(), reading.path("question").asText(),
                reading.path("answer").asText(), reading.path("flagged").asBoolean() ? "YES" : "no");
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("decoder-service did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling decoder-service", e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }
}
