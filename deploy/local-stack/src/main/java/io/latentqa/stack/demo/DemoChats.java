package io.latentqa.stack.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.stack.KafkaTopics;

/**
 * The demo's chats: sends the chats of {@code demo/chats.json} (with and without a system prompt) through a
 * running capture-service's {@code /v1/chat/completions}, reads each request's activation event from
 * {@code latentqa.activations} (matched by request id, the record key) and prints the answer and the event:
 * event id, layers, token count, bytes, inline or claim check. The event is read from its safetensors header
 * (no model code needed): a claim check's blob is opened when it is a local file.
 */
public final class DemoChats {

    static final String ACTIVATIONS = "latentqa.activations";
    private static final Duration EVENT_WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One chat and its activation event.
     *
     * @param requestId the request id capture-service gave the chat
     * @param eventId the activation event's id (its Kafka key), or null when no event was found
     * @param systemPrompt the system prompt, or null for none
     * @param userMessage the user's message
     * @param answer the assistant's answer
     * @param layers the event's layers (comma list), or null
     * @param tokens token positions in the event, or 0
     * @param bytes the event's size (the blob's size for a claim check), or 0
     * @param claimCheck whether the Kafka value was a claim check for a blob
     */
    public record Result(String requestId, String eventId, String systemPrompt, String userMessage, String answer,
            String layers, int tokens, long bytes, boolean claimCheck) {
    }

    private DemoChats() {
    }

    /**
     * Sends the demo chats one after another and waits (up to a minute) for their activation events.
     *
     * @param captureBaseUrl e.g. {@code http://127.0.0.1:8081}
     * @param kafkaBootstrap e.g. {@code 127.0.0.1:19092}
     * @param out where to print the chats and their events
     * @return one result per chat, in the order of chats.json
     */
    public static List<Result> run(String captureBaseUrl, String kafkaBootstrap, PrintStream out) {
        JsonNode demo = readChats();
        String url = captureBaseUrl.endsWith("/") ? captureBaseUrl.substring(0, captureBaseUrl.length() - 1)
                : captureBaseUrl;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try (KafkaConsumer<String, byte[]> consumer = consumerAtEnd(kafkaBootstrap)) {
            List<ObjectNode> answers = new ArrayList<>();
            for (JsonNode chat : demo.path("chats")) {
                answers.add(chat(http, url, chat, demo.path("maxTokens").asInt(40)));
            }
            Map<String, byte[]> events = awaitEvents(consumer, answers.stream()
                    .map(answer -> answer.path("id").asText()).toList());
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                Result result = result(demo.path("chats").get(i), answers.get(i), events);
                print(result, out);
                results.add(result);
            }
            return results;
        }
    }

    private static JsonNode readChats() {
        try (InputStream in = DemoChats.class.getResourceAsStream("/demo/chats.json")) {
            if (in == null) {
                throw new IllegalStateException("demo/chats.json is not on the class path");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read demo/chats.json", e);
        }
    }

    /** A consumer of latentqa.activations placed at the end of every partition: it sees only new events. */
    private static KafkaConsumer<String, byte[]> consumerAtEnd(String bootstrap) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, KafkaTopics.MAX_MESSAGE_BYTES,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, KafkaTopics.MAX_MESSAGE_BYTES);
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(ACTIVATIONS, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(ACTIVATIONS, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // resolve the end offsets now, before the chats are sent
        partitions.forEach(consumer::position);
        return consumer;
    }

    /** Sends one chat (greedy) and returns the chat.completion answer; fails on any status but 200. */
    private static ObjectNode chat(HttpClient http, String url, JsonNode chat, int maxTokens) {
        List<Map<String, String>> messages = new ArrayList<>();
        if (chat.hasNonNull("system")) {
            messages.add(Map.of("role", "system", "content", chat.path("system").asText()));
        }
        messages.add(Map.of("role", "user", "content", chat.path("user").asText()));
        try {
            String body = JSON.writeValueAsString(Map.of("messages", messages, "max_tokens", maxTokens,
                    "temperature", 0));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                    .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("capture-service answered HTTP " + response.statusCode() + ": "
                        + response.body());
            }
            return (ObjectNode) JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach capture-service at " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for capture-service", e);
        }
    }

    /** The values of the events with these keys, as far as they arrive within {@link #EVENT_WAIT}. */
    private static Map<String, byte[]> awaitEvents(KafkaConsumer<String, byte[]> consumer, List<String> keys) {
        Map<String, byte[]> found = new HashMap<>();
        long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
        while (found.size() < keys.size() && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                if (keys.contains(record.key())) {
                    found.putIfAbsent(record.key(), record.value());
                }
            }
        }
        return found;
    }

    private static Result result(JsonNode chat, JsonNode answer, Map<String, byte[]> events) {
        String requestId = answer.path("id").asText();
        String text = answer.at("/choices/0/message/content").asText();
        String system = chat.hasNonNull("system") ? chat.path("system").asText() : null;
        byte[] value = events.get(requestId);
        if (value == null) {
            return new Result(requestId, null, system, chat.path("user").asText(), text, null, 0, 0, false);
        }
        JsonNode header = header(value);
        JsonNode metadata = header.path("__metadata__");
        boolean claimCheck = metadata.hasNonNull("blob_uri");
        long bytes = value.length;
        if (claimCheck) {
            bytes = metadata.path("blob_bytes").asLong();
            URI blob = URI.create(metadata.path("blob_uri").asText());
            header = "file".equals(blob.getScheme()) ? header(readFile(Path.of(blob))) : header;
        }
        int tokens = header.path("token_ids").path("shape").path(0).asInt();
        return new Result(requestId, metadata.path("request_id").asText(requestId), system, chat.path("user").asText(),
                text, metadata.path("layers").asText(), tokens, bytes, claimCheck);
    }

    /** The JSON header of a safetensors value: 8 bytes of little-endian length, then the header. */
    static JsonNode header(byte[] value) {
        if (value.length < 8) {
            throw new IllegalArgumentException("not a safetensors value: " + value.length + " bytes");
        }
        long length = ByteBuffer.wrap(value, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (length <= 0 || length > value.length - 8) {
            throw new IllegalArgumentException("not a safetensors value: header length " + length + " in "
                    + value.length + " bytes");
        }
        try {
            return JSON.readTree(new String(value, 8, (int) length, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a safetensors value: " + e.getMessage(), e);
        }
    }

    private static byte[] readFile(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the claim check's blob " + path, e);
        }
    }

    private static void print(Result result, PrintStream out) {
        Map<String, String> lines = new LinkedHashMap<>();
        if (result.systemPrompt() != null) {
            lines.put("system", result.systemPrompt());
        }
        lines.put("user", result.userMessage());
        lines.put("assistant", result.answer());
        out.println("---- chat " + result.requestId());
        lines.forEach((role, text) -> out.println("  " + role + ": " + text));
        if (result.eventId() == null) {
            out.println("  activation event: none on " + ACTIVATIONS + " within " + EVENT_WAIT.toSeconds()
                    + " s (capture off, or the broker is behind)");
            return;
        }
        out.printf("  activation event %s: layers %s, %d tokens, %d bytes, %s%n", result.eventId(), result.layers(),
                result.tokens(), result.bytes(), result.claimCheck() ? "claim check (blob store)" : "inline");
    }
}
