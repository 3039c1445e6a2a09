package io.latentqa.capture.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.ClaimCheck;
import io.latentqa.core.events.LocalBlobStore;

/**
 * {@code ./latentqa demo} (capture part): sends a few chats through a running capture-service, with and
 * without a system prompt, prints each answer, then reads the request's activation event back from Kafka
 * (resolving a claim check from the blob store) and prints what it holds: layers, tokens, dtype, bytes.
 *
 * <pre>
 *   java -cp 'capture-service/target/quarkus-app/lib/main/*:capture-service/target/quarkus-app/app/*' \
 *        io.latentqa.capture.demo.CaptureDemo [--url http://127.0.0.1:8081] [--bootstrap 127.0.0.1:19092] \
 *        [--blob-dir .latentqa/blobs] [--max-tokens 48]
 * </pre>
 */
public final class CaptureDemo {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CaptureDemo() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        String url = options.getOrDefault("url", env("LATENTQA_CAPTURE_URL", "http://127.0.0.1:8081"));
        String bootstrap = options.getOrDefault("bootstrap", env("LATENTQA_KAFKA_BOOTSTRAP", "127.0.0.1:19092"));
        Path blobs = Path.of(options.getOrDefault("blob-dir", env("LATENTQA_BLOB_DIR", ".latentqa/blobs")));
        int maxTokens = Integer.parseInt(options.getOrDefault("max-tokens", "48"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        List<List<Map<String, String>>> dialogs = List.of(
                List.of(Map.of("role", "user", "content", "What is the capital of France?")),
                List.of(Map.of("role", "system", "content", "Talk like a pirate."),
                        Map.of("role", "user", "content", "How are you today?")),
                List.of(Map.of("role", "system", "content", "You answer in one short sentence."),
                        Map.of("role", "user", "content", "Why is the sky blue?")));
        for (List<Map<String, String>> messages : dialogs) {
            String body = JSON.writeValueAsString(Map.of("messages", messages, "max_tokens", maxTokens,
                    "temperature", 0));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                    .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("------------------------------------------------------------------------");
            for (Map<String, String> message : messages) {
                System.out.println(message.get("role") + ": " + message.get("content"));
            }
            if (response.statusCode() != 200) {
                System.out.println("HTTP " + response.statusCode() + ": " + response.body());
                continue;
            }
            JsonNode answer = JSON.readTree(response.body());
            System.out.println("assistant: " + answer.at("/choices/0/message/content").asText());
            System.out.printf(Locale.ROOT, "  usage: %d prompt + %d completion tokens, finish %s%n",
                    answer.at("/usage/prompt_tokens").asInt(), answer.at("/usage/completion_tokens").asInt(),
                    answer.at("/choices/0/finish_reason").asText());
            JsonNode event = answer.at("/latentqa/activationEvent");
            if (event.isMissingNode() || event.isNull()) {
                System.out.println("  no activation event (capture is off)");
                continue;
            }
            String id = event.path("id").asText();
            Optional<byte[]> value = find(bootstrap, event.path("topic").asText(), id, Duration.ofSeconds(30));
            if (value.isEmpty()) {
                System.out.println("  activation event " + id + " (" + event.path("status").asText() + ", "
                        + event.path("bytes").asLong() + " bytes) is not on Kafka yet: " + event);
                continue;
            }
            boolean claimCheck = ClaimCheck.isClaimCheck(value.get());
            ActivationEvent decoded = ActivationEventCodec.decode(new ClaimCheck(new LocalBlobStore(blobs))
                    .resolve(value.get()));
            System.out.printf(Locale.ROOT, "  activation event %s on %s: layers %s, %d tokens x %d dims, %s, %d bytes%s%n",
                    id, event.path("topic").asText(), Arrays.toString(decoded.layers()), decoded.tokens(),
                    decoded.dModel(), event.path("dtype").asText(), event.path("bytes").asLong(),
                    claimCheck ? " (claim check: blob store)" : " (inline)");
            System.out.printf(Locale.ROOT, "  model %s, positions %s, source %s, dialog %s%n", decoded.modelId(),
                    decoded.positions(), decoded.source().wireName(), decoded.dialog() == null ? "redacted" : "included");
            float[] lastRow = Arrays.copyOfRange(decoded.layer(0), (decoded.tokens() - 1) * decoded.dModel(),
                    decoded.tokens() * decoded.dModel());
            double norm = 0;
            for (float v : lastRow) {
                norm += v * v;
            }
            System.out.printf(Locale.ROOT, "  residual after block %d at the last token: norm %.1f, first values %s%n",
                    decoded.layers()[0], Math.sqrt(norm), Arrays.toString(Arrays.copyOf(lastRow, 4)));
        }
    }

    /** The value of the record with {@code key}, reading the topic from its end backwards a little. */
    static Optional<byte[]> find(String bootstrap, String topic, String key, Duration timeout) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 8 * 1024 * 1024);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            // the event is recent: start a few hundred records before the end
            for (TopicPartition partition : partitions) {
                consumer.seek(partition, Math.max(0, end.get(partition) - 500));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    if (key.equals(record.key())) {
                        return Optional.of(record.value());
                    }
                }
            }
        } catch (RuntimeException e) {
            System.out.println("  (cannot read " + topic + " at " + bootstrap + ": " + e.getMessage() + ")");
        }
        return Optional.empty();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static Map<String, String> options(String[] args) throws IOException {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IOException("usage: CaptureDemo [--url URL] [--bootstrap HOST:PORT] [--blob-dir DIR]"
                        + " [--max-tokens N]");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
