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
 * The demo's decoder monitors: standing questions over the activations of every chat, answered by the decoder
 * decoder-service serves (the shipped one unless a newer one was published). Two monitors ask the question the
 * decoder was trained on, "What instruction was the assistant given?":
 * <ul>
 *   <li>a choice monitor scores a handful of personas ({@link #PERSONAS}, PMI-normalised) and is flagged when the
 *       pirate persona takes at least half the probability;</li>
 *   <li>an answer monitor lets the decoder answer in its own words (flagged when the answer mentions a pirate).</li>
 * </ul>
 * {@link #create} makes them through decoder-service's REST API; {@link #showReadings} waits for their readings of
 * given events on {@code latentqa.readings} and prints them side by side.
 */
public final class DemoMonitor {

    public static final String QUESTION = "What instruction was the assistant given?";
    /** The personas the choice monitor tells apart; the first is the one it flags. */
    public static final List<String> PERSONAS = List.of(
            "Please adopt the persona of a pirate and talk like a pirate in every answer.",
            "Please adopt the persona of a French chef who shares recipes and cooking advice.",
            "Please adopt the persona of a patient teacher who explains things simply to young children.",
            "Please answer every question in one short sentence.",
            "Please adopt the persona of a grumpy old sailor who complains about everything.");
    /** The answer monitor: flagged when the decoder's answer mentions a pirate. */
    public static final String PATTERN = "(?i)pirate";

    /** The two monitors' ids. */
    public record Monitors(String choice, String answer) {
        List<String> ids() {
            return List.of(choice, answer);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DemoMonitor() {
    }

    /**
     * Prints which decoder reads ({@code GET /v1/decoders}) and creates the two monitors, for chat traffic.
     *
     * @param decoderBaseUrl decoder-service, e.g. {@code http://127.0.0.1:8082}
     * @param out            where to say what was created
     */
    public static Monitors create(String decoderBaseUrl, PrintStream out) {
        JsonNode decoders = read(send(HttpRequest.newBuilder(URI.create(decoderBaseUrl + "/v1/decoders"))).body());
        out.printf("decoder: %s (GET /v1/decoders; 'base' is the untrained model)%n", decoders.path("default").asText());

        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("name", "demo: persona");
        choice.put("question", QUESTION);
        choice.put("rule", "choice");
        choice.put("answers", PERSONAS);
        choice.put("flagAnswer", PERSONAS.get(0));
        choice.put("threshold", 0.5);
        choice.put("normalise", true);
        choice.put("sourceFilter", "traffic");
        String choiceId = post(decoderBaseUrl, choice);
        out.printf("monitor %s: \"%s\" over %d personas (PMI), flagged when \"%s\" has probability >= 0.5%n", choiceId,
                QUESTION, PERSONAS.size(), PERSONAS.get(0));

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", "demo: instruction");
        answer.put("question", QUESTION);
        answer.put("rule", "regex");
        answer.put("pattern", PATTERN);
        answer.put("sourceFilter", "traffic");
        String answerId = post(decoderBaseUrl, answer);
        out.printf("monitor %s: \"%s\" answered in the decoder's words, flagged when the answer matches %s%n", answerId,
                QUESTION, PATTERN);
        return new Monitors(choiceId, answerId);
    }

    private static String post(String decoderBaseUrl, Map<String, Object> spec) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(decoderBaseUrl + "/v1/monitors"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(spec))));
        if (response.statusCode() != 201) {
            throw new IllegalStateException("decoder-service refused the demo monitor '" + spec.get("name") + "': HTTP "
                    + response.statusCode() + " " + response.body());
        }
        return read(response.body()).path("id").asText();
    }

    /**
     * Waits until both monitors' readings of every event have appeared on {@code latentqa.readings}, or the timeout
     * has passed, and prints each chat's two readings together. Events without readings at the end are named, with
     * what decoder-service knows of them.
     *
     * @param decoderBaseUrl decoder-service, e.g. {@code http://127.0.0.1:8082}
     * @param kafkaBootstrap the broker, e.g. {@code 127.0.0.1:19092}
     * @param monitors       the monitors from {@link #create}
     * @param chats          the chats whose activation events were read
     * @param timeout        how long to wait for all of them
     * @param out            where to print
     */
    public static void showReadings(String decoderBaseUrl, String kafkaBootstrap, Monitors monitors,
            List<DemoChats.Result> chats, Duration timeout, PrintStream out) {
        List<String> eventIds = chats.stream().map(DemoChats.Result::eventId).filter(java.util.Objects::nonNull).toList();
        Map<String, JsonNode> found = new LinkedHashMap<>(); // key: event id + monitor id
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        int wanted = eventIds.size() * 2;
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("latentqa.readings", Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (found.size() < wanted && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (!eventIds.contains(record.key())) {
                        continue;
                    }
                    JsonNode reading = read(record.value());
                    String monitor = reading.path("monitorId").asText();
                    if (monitors.ids().contains(monitor)) {
                        found.putIfAbsent(record.key() + "/" + monitor, reading);
                    }
                }
            }
        }
        for (DemoChats.Result chat : chats) {
            if (chat.eventId() == null) {
                out.printf("---- chat %s: no activation event, nothing to read%n", chat.requestId());
                continue;
            }
            JsonNode choice = found.get(chat.eventId() + "/" + monitors.choice());
            JsonNode answer = found.get(chat.eventId() + "/" + monitors.answer());
            out.printf("---- event %s%n    hidden system prompt: %s%n    user: %s%n", chat.eventId(),
                    chat.systemPrompt() == null ? "(none in the request)" : chat.systemPrompt(), chat.userMessage());
            if (choice != null) {
                out.printf("    persona monitor: %s   p(pirate) %.2f   flagged: %s%n", choice.path("answer").asText(),
                        choice.path("score").asDouble(), choice.path("flagged").asBoolean() ? "YES" : "no");
            }
            if (answer != null) {
                out.printf("    decoder's answer: %s%n", answer.path("answer").asText());
            }
            if (choice == null || answer == null) {
                HttpResponse<String> seen = send(HttpRequest.newBuilder(URI.create(decoderBaseUrl + "/v1/activations/"
                        + chat.eventId())));
                out.printf("    (a reading is missing after %ds: %s)%n", timeout.toSeconds(), seen.statusCode() == 200
                        ? "decoder-service has the event; the monitors are still behind"
                        : "decoder-service has not seen the event: " + read(seen.body()).path("detail").asText());
            }
        }
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
