package io.latentqa.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The demo's smoke run: touches every service of a running stack through its health, metrics, OpenAPI and
 * REST endpoints, and one Kafka round trip each: a record produced to the topic the service consumes shows up
 * in its REST API (capture, steering, dataset), or, for the services that take only real work (trainer,
 * decoder), a record that breaks the contract shows up on the dead-letter topic, rejected by that service.
 * Prints one line per check and exits 1 if any fails.
 *
 * <pre>
 * java -cp 'deploy/local-stack/target/lib/*:...' io.latentqa.stack.SmokeRun --kafka 127.0.0.1:19092 \
 *     --capture 8081 --decoder 8082 --steering 8083 --trainer 8084 --dataset 8085
 * </pre>
 */
public final class SmokeRun {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String kafka;
    private final Map<String, Integer> ports;
    private final String suffix = Long.toString(System.currentTimeMillis(), 36);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> failures = new ArrayList<>();

    private SmokeRun(String kafka, Map<String, Integer> ports) {
        this.kafka = kafka;
        this.ports = ports;
    }

    public static void main(String[] args) {
        Map<String, String> options = Options.parse(args, "kafka", "capture", "decoder", "steering", "trainer", "dataset");
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String service : List.of("capture", "decoder", "steering", "trainer", "dataset")) {
            ports.put(service, Options.port(options, service));
        }
        SmokeRun run = new SmokeRun(options.get("kafka"), ports);
        run.run();
        if (!run.failures.isEmpty()) {
            System.out.println("smoke run FAILED: " + String.join("; ", run.failures));
            System.exit(1);
        }
        System.out.println("smoke run passed: every service answered, and every Kafka round trip arrived");
    }

    private void run() {
        for (String service : ports.keySet()) {
            check(service, "ready", () -> get(service, "/q/health/ready", body -> body.contains("\"UP\"")));
            check(service, "metrics", () -> get(service, "/q/metrics", body -> body.contains("jvm_memory_used_bytes")));
            check(service, "openapi", () -> get(service, "/q/openapi", body -> body.contains("/v1/")));
        }
        // trainer and decoder accept only real work (a run over real QA records, activations of the served
        // model), which the full demo of later issues brings; here their consumers must reject a record that
        // breaks the contract into the dead-letter topic, with a reason, and stay up
        String runId = "smoke-run-" + suffix;
        check("trainer", "latentqa.training-requests (malformed) -> .dlq, GET /v1/runs", () -> {
            TestKafka.send(kafka, "latentqa.training-requests", runId, "{\"smoke\": ");
            return deadLetter("trainer", "latentqa.training-requests", runId)
                    && get("trainer", "/v1/runs", body -> body.startsWith("["));
        });
        String steeringAdapter = "smoke-steering-" + suffix;
        check("capture", "latentqa.model-events -> GET /v1/steering-adapters/" + steeringAdapter, () -> {
            TestKafka.send(kafka, "latentqa.model-events", steeringAdapter, modelEvent(steeringAdapter, "steering"));
            return poll("capture", "/v1/steering-adapters/" + steeringAdapter,
                    adapter -> "published".equals(adapter.path("status").asText()));
        });
        String decoderAdapter = "smoke-decoder-" + suffix;
        check("steering", "latentqa.model-events -> GET /v1/decoder-adapters/" + decoderAdapter, () -> {
            TestKafka.send(kafka, "latentqa.model-events", decoderAdapter, modelEvent(decoderAdapter, "decoder"));
            return poll("steering", "/v1/decoder-adapters/" + decoderAdapter,
                    adapter -> "published".equals(adapter.path("status").asText()));
        });
        String trafficRequest = "smoke-traffic-" + suffix;
        check("decoder", "latentqa.activations (model 'smoke') -> .dlq, GET /v1/activations", () -> {
            TestKafka.send(kafka, "latentqa.activations", trafficRequest, activationEvent(trafficRequest, "traffic"));
            return deadLetter("decoder", "latentqa.activations", trafficRequest)
                    && get("decoder", "/v1/activations", body -> body.startsWith("["));
        });
        String datasetRequest = "smoke-dataset-" + suffix;
        check("dataset", "latentqa.activations -> GET /v1/captures/" + datasetRequest, () -> {
            TestKafka.send(kafka, "latentqa.activations", datasetRequest, activationEvent(datasetRequest, "dataset"));
            return poll("dataset", "/v1/captures/" + datasetRequest,
                    capture -> "user".equals(capture.path("dialog").path(0).path("role").asText()));
        });
    }

    private interface Check {
        boolean pass() throws Exception;
    }

    private void check(String service, String what, Check check) {
        long start = System.nanoTime();
        String outcome;
        try {
            outcome = check.pass() ? "ok" : "FAILED";
        } catch (Exception e) {
            outcome = "FAILED (" + e.getMessage() + ")";
        }
        System.out.printf("  %-16s %-76s %s (%d ms)%n", service + "-service", what, outcome,
                (System.nanoTime() - start) / 1_000_000);
        if (!outcome.equals("ok")) {
            failures.add(service + ": " + what);
        }
    }

    /** The record is on the topic's dead-letter topic, rejected by this service, and the reason is shown. */
    private boolean deadLetter(String service, String topic, String key) {
        var dead = TestKafka.find(kafka, topic + ".dlq", key, WAIT);
        if (dead.isEmpty()) {
            return false;
        }
        String rejectedBy = TestKafka.header(dead.get(), "dead-letter-exception-class-name");
        System.out.printf("  %-16s   dead-letter-reason: %s%n", "", TestKafka.header(dead.get(), "dead-letter-reason"));
        return rejectedBy != null && rejectedBy.startsWith("io.latentqa." + service + ".");
    }

    private boolean get(String service, String path, Predicate<String> accept) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(service, path), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && accept.test(response.body());
    }

    private boolean poll(String service, String path, Predicate<JsonNode> accept) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = http.send(request(service, path), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && accept.test(JSON.readTree(response.body()))) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    private HttpRequest request(String service, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(service) + path))
                .timeout(Duration.ofSeconds(10)).build();
    }

    private static String modelEvent(String adapterId, String kind) {
        return "{\"event\": \"published\", \"adapterId\": \"" + adapterId + "\", \"kind\": \"" + kind + "\","
                + " \"digest\": \"sha256:" + "0".repeat(64) + "\", \"baseModelId\": \"smoke\"}";
    }

    /**
     * A minimal activation event written by hand from the safetensors layout (8-byte little-endian header
     * length, JSON header, raw little-endian data): 1 layer x 2 tokens x d_model 4 in F32, token ids I32.
     */
    static byte[] activationEvent(String requestId, String source) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("schema", "latentqa.activation/1");
        metadata.put("model_id", "smoke");
        metadata.put("model_digest", "0".repeat(64));
        metadata.put("layers", "0");
        metadata.put("positions", "all");
        metadata.put("source", source);
        metadata.put("request_id", requestId);
        metadata.put("created_at", Instant.now().toString());
        metadata.put("dialog", "[{\"role\":\"user\",\"content\":\"Say hi.\"},{\"role\":\"assistant\",\"content\":\"Hi.\"}]");
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("activations", Map.of("dtype", "F32", "shape", List.of(1, 2, 4), "data_offsets", List.of(0, 32)));
        header.put("token_ids", Map.of("dtype", "I32", "shape", List.of(2), "data_offsets", List.of(32, 40)));
        header.put("__metadata__", metadata);
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
        ByteBuffer value = ByteBuffer.allocate(8 + padded + 40).order(ByteOrder.LITTLE_ENDIAN);
        value.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            value.put((byte) ' ');
        }
        for (int i = 0; i < 8; i++) {
            value.putFloat(i * 0.25f);
        }
        value.putInt(1).putInt(2);
        return value.array();
    }
}
