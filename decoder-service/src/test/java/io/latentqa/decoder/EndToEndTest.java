package io.latentqa.decoder;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * End to end through the real services on SmolLM2: capture-service (its packaged app, started here as a child
 * process on the test's Kafka broker and PostgreSQL) serves a chat and publishes the activation event; this
 * decoder-service consumes it, and the readings of two monitors appear on latentqa.readings and in PostgreSQL.
 * The reactor builds capture-service first (see the pom); the runner's path comes from the build.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class EndToEndTest {

    static final Duration CAPTURE_START = Duration.ofSeconds(240);
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;

    @ConfigProperty(name = "quarkus.datasource.password")
    String dbPassword;

    @Inject
    DecoderConfig config;

    @Inject
    DataSource database;

    @Test
    void chatThroughCaptureServiceGetsMonitorReadingsOnTheTopicAndInPostgres() throws Exception {
        String regex = createMonitor(Map.of("name", "e2e-instruction", "question",
                "What instruction was the assistant given?", "rule", "regex", "pattern", "^", "sourceFilter", "traffic"));
        String choice = createMonitor(Map.of("name", "e2e-pirate", "question", "Is the assistant talking like a pirate?",
                "rule", "choice", "answers", List.of("Yes.", "No."), "flagAnswer", "Yes.", "threshold", 0.5,
                "sourceFilter", "traffic"));
        Process capture = null;
        try {
            int port = freePort();
            capture = startCaptureService(port);
            String captureUrl = "http://127.0.0.1:" + port;

            JsonPath chat = given().baseUri(captureUrl).contentType(ContentType.JSON)
                    .body(Map.of("messages", List.of(Map.of("role", "system", "content", "Talk like a pirate."),
                                    Map.of("role", "user", "content", "How are you today?")),
                            "max_tokens", 8, "temperature", 0))
                    .when().post("/v1/chat/completions")
                    .then().statusCode(200)
                    .body("latentqa.activationEvent.status", is("spooled"))
                    .extract().jsonPath();
            String requestId = chat.getString("latentqa.requestId");
            int tokens = chat.getInt("latentqa.activationEvent.tokens");
            System.out.println("chat answer: " + chat.getString("choices[0].message.content") + " (event " + requestId
                    + ", " + tokens + " tokens)");

            ConsumerRecord<String, byte[]> published = TestKafka
                    .find(bootstrap, "latentqa.readings", requestId, Duration.ofSeconds(180))
                    .orElseThrow(() -> new AssertionError("no reading of " + requestId + " on latentqa.readings"));
            JsonNode reading = new ObjectMapper().readTree(new String(published.value(), StandardCharsets.UTF_8));
            System.out.println("reading on latentqa.readings: " + reading);
            assertEquals(requestId, reading.get("activationId").asText());
            assertTrue(List.of(regex, choice).contains(reading.get("monitorId").asText()), "monitor of " + reading);

            // both readings in PostgreSQL, the published one among them with the same answer
            await().atMost(Duration.ofSeconds(120)).until(() -> readings(requestId).size() == 2);
            Map<String, String[]> stored = readings(requestId);
            System.out.println("readings in PostgreSQL: " + stored.entrySet().stream()
                    .map(e -> e.getKey() + "=" + String.join("|", e.getValue())).toList());
            assertEquals("true", stored.get(regex)[1], "'^' matches every answer");
            assertTrue(List.of("Yes.", "No.").contains(stored.get(choice)[0]), "choice answer " + stored.get(choice)[0]);
            assertEquals(reading.get("answer").asText(), stored.get(reading.get("monitorId").asText())[0]);

            // the decoder logged the event as capture-service described it
            given().when().get("/v1/activations/" + requestId)
                    .then().statusCode(200)
                    .body("source", is("traffic"))
                    .body("positions", is("all"))
                    .body("tokenCount", is(tokens));
        } finally {
            if (capture != null) {
                capture.destroy();
                if (!capture.waitFor(30, TimeUnit.SECONDS)) {
                    capture.destroyForcibly();
                }
            }
            given().when().delete("/v1/monitors/" + regex).then().statusCode(204);
            given().when().delete("/v1/monitors/" + choice).then().statusCode(204);
        }
    }

    /** The packaged capture-service on the test's broker and database, its log in the build folder. */
    Process startCaptureService(int port) throws IOException, InterruptedException {
        Path runner = Path.of(System.getProperty("latentqa.test.capture-runner", "capture-service runner not set"));
        if (!Files.isRegularFile(runner)) {
            throw new AssertionError("capture-service is not packaged at " + runner + "; build it first (./mvnw package"
                    + " -pl capture-service, or run this test through the reactor: -pl decoder-service -am)");
        }
        Path log = Path.of(System.getProperty("lqa.build.dir", "target"), "end-to-end-capture-service.log");
        Files.createDirectories(log.getParent());
        Path spool = Files.createTempDirectory("latentqa-e2e-spool");
        Map<String, String> properties = new HashMap<>();
        properties.put("quarkus.http.port", Integer.toString(port));
        properties.put("kafka.bootstrap.servers", bootstrap);
        properties.put("quarkus.datasource.jdbc.url", jdbcUrl);
        properties.put("quarkus.datasource.username", dbUser);
        properties.put("quarkus.datasource.password", dbPassword);
        properties.put("latentqa.capture.model-path", System.getProperty("latentqa.shared") + "/models/smollm2-135m-instruct");
        properties.put("latentqa.capture.blob-dir", config.blobDir().toAbsolutePath().toString());
        properties.put("latentqa.capture.spool.dir", spool.toString());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-Dai.djl.offline=true"));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", runner.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();

        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + CAPTURE_START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("capture-service exited with " + process.exitValue() + " while starting; log "
                        + log.toAbsolutePath() + ":\n" + tail(log));
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (IOException notListeningYet) {
                // connection refused until the HTTP server is up
            }
            Thread.sleep(500);
        }
        process.destroyForcibly();
        throw new AssertionError("capture-service was not ready within " + CAPTURE_START + "; log "
                + log.toAbsolutePath() + ":\n" + tail(log));
    }

    /** Readings of an activation in PostgreSQL: monitor id -> {answer, flagged}. */
    Map<String, String[]> readings(String activationId) throws SQLException {
        Map<String, String[]> out = new HashMap<>();
        try (Connection connection = database.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT monitor_id, answer, flagged FROM decoder.readings WHERE activation_id = ?")) {
            select.setString(1, activationId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    out.put(rows.getString(1), new String[] {rows.getString(2), Boolean.toString(rows.getBoolean(3))});
                }
            }
        }
        return out;
    }

    static String createMonitor(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/v1/monitors")
                .then().statusCode(201).extract().path("id");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
