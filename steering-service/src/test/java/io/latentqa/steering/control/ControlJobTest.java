package io.latentqa.steering.control;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Control jobs through the REST API on stories260K with the base model as decoder: a job runs, records its loss per
 * step, measures before and after, saves its adapter in PEFT layout and announces it on latentqa.model-events and its
 * progress on latentqa.control-progress; bad requests are 400s naming the field and store nothing; a running job can
 * be cancelled; a job left running by a dead process ends FAILED.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ControlJobTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CAT = "{\"The story is about a cat.\": [[\"What animal is the story about?\", \"a cat\"],"
            + " [\"Is the story about a cat?\", \"Yes, it is about a cat.\"]]}";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "latentqa.steering.state-dir")
    Path stateDir;

    @Inject
    ControlRepository repository;

    @Inject
    DataSource dataSource;

    private static Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/controls");
    }

    private static JsonNode awaitEnd(String id) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String status = given().get("/v1/controls/" + id).then().extract().path("status");
            return !"QUEUED".equals(status) && !"RUNNING".equals(status);
        });
        try {
            return JSON.readTree(given().get("/v1/controls/" + id).asString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void jobSteersMeasuresAndPublishesItsAdapter() throws Exception {
        post("{\"id\": \"cat-1\", \"control\": " + CAT + ", \"samples\": 6, \"heldOut\": 2, \"maxNewTokens\": 8,"
                + " \"learningRate\": 0.01}")
                .then().statusCode(202).header("Location", containsString("/v1/controls/cat-1"))
                .body("status", is("QUEUED")).body("qa", hasSize(2)).body("spec.lora.layers", hasSize(4));
        JsonNode job = awaitEnd("cat-1");
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        assertEquals(6, job.path("losses").size(), "one loss per step");
        JsonNode result = job.path("result");
        assertTrue(result.path("controlLoss").path("before").isNumber() && result.path("controlLoss").path("after").isNumber(), result.toString());
        assertEquals(4, result.path("heldOutSamples").asInt(), "2 held-out prompts x 2 QA pairs");
        assertEquals(3 + 2, result.path("generations").size(), "prompts/default.json and the held-out prompts");
        assertEquals(3, result.path("readLayer").asInt());

        String adapterId = job.path("adapterId").asText();
        assertEquals("steer-cat-1", adapterId);
        Path dir = stateDir.resolve("adapters").resolve(adapterId);
        assertTrue(Files.isRegularFile(dir.resolve(AdapterFile.WEIGHTS_FILE)) && Files.isRegularFile(dir.resolve(AdapterFile.CONFIG_FILE)));
        Map<String, String> metadata = AdapterFile.readMetadata(dir);
        assertEquals("cat-1", metadata.get(AdapterFile.META_TRAINING_RUN_ID));
        String digest = "sha256:" + ModelLoader.sha256(List.of(dir.resolve(AdapterFile.WEIGHTS_FILE)));

        ConsumerRecord<String, byte[]> event = TestKafka.find(bootstrap, "latentqa.model-events", adapterId, Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no model event for " + adapterId));
        JsonNode published = JSON.readTree(new String(event.value(), StandardCharsets.UTF_8));
        assertEquals("published", published.path("event").asText());
        assertEquals("steering", published.path("kind").asText());
        assertEquals(digest, published.path("digest").asText(), "the announced digest is the file's");
        assertEquals("file:" + dir.toAbsolutePath(), published.path("uri").asText());
        ConsumerRecord<String, byte[]> progress = TestKafka.find(bootstrap, "latentqa.control-progress", "cat-1", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no progress of cat-1 on latentqa.control-progress"));
        assertTrue(new String(progress.value(), StandardCharsets.UTF_8).contains("\"totalSteps\":6"));

        given().get("/v1/steering-adapters").then().statusCode(200).body("adapterId", org.hamcrest.Matchers.hasItem(adapterId));
        given().get("/v1/steering-adapters/" + adapterId).then().statusCode(200)
                .body("adapter.digest", is(digest)).body("result.controlLoss.before", notNullValue());
        given().get("/v1/steering-adapters/compare?ids=" + adapterId).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("ids"));
        given().post("/v1/steering-adapters/" + adapterId + "/retire").then().statusCode(200).body("adapter.status", is("retired"));
        given().post("/v1/steering-adapters/" + adapterId + "/retire").then().statusCode(409);
    }

    @Test
    void badRequestsNameTheFieldAndStoreNothing() {
        int before = given().get("/v1/controls?limit=500").then().extract().jsonPath().getList("$").size();
        Map<String, String> cases = Map.ofEntries(
                Map.entry("{\"control\": {\"x\": []}}", "QA list is empty"),
                Map.entry("{\"control\": " + CAT + ", \"decoder\": \"no-such-decoder\"}", "decoder: no decoder adapter 'no-such-decoder'"),
                Map.entry("{\"control\": " + CAT + ", \"lora\": {\"layers\": [0, 7]}}", "lora.layers"),
                Map.entry("{\"control\": " + CAT + ", \"lora\": {\"layers\": [4]}}", "past the decoder's read layer 3"),
                Map.entry("{\"control\": " + CAT + ", \"prompts\": \"not json\\n{\\\"prompt\\\": \\\"x\\\"}\"}", "prompts: line 1"),
                Map.entry("{\"control\": " + CAT + ", \"prompts\": [\"a\"]}", "prompts must be JSONL text"),
                Map.entry("{\"goal\": \"cheerful\\u0000\"}", "control character"),
                Map.entry("{\"goal\": \"" + "x".repeat(1_000_000) + "\"}", "goal is 1000000 characters long"),
                Map.entry("{\"control\": " + CAT + ", \"samples\": 0}", "samples must be an integer"),
                Map.entry("{\"control\": " + CAT + ", \"colour\": 1}", "unknown field 'colour'"),
                Map.entry("{\"control\": " + CAT + ", \"goal\": \"x\"}", "exactly one of control"),
                Map.entry("[1, 2]", "JSON object"));
        cases.forEach((body, message) -> {
            String detail = post(body).then().statusCode(400).contentType("application/problem+json")
                    .extract().path("detail");
            assertTrue(detail.contains(message), "for " + body.substring(0, Math.min(80, body.length())) + ": " + detail);
            assertTrue(detail.length() < 600, "the problem echoes at most an excerpt: " + detail.length() + " characters");
        });
        post("{not json").then().statusCode(400).contentType("application/problem+json");
        int after = given().get("/v1/controls?limit=500").then().extract().jsonPath().getList("$").size();
        assertEquals(before, after, "a refused request stores nothing");
        given().get("/v1/controls?limit=abc").then().statusCode(400).contentType("application/problem+json");
        given().get("/v1/controls/nope").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void goalInWordsBecomesTheInstructionPairAndARunningJobCanBeCancelled() {
        post("{\"id\": \"cheerful-1\", \"goal\": \"The assistant is always cheerful and positive\", \"samples\": 4, \"steps\": 10000,"
                + " \"heldOut\": 1, \"maxNewTokens\": 4}")
                .then().statusCode(202)
                .body("qa[0][0]", is("What instruction was the assistant given?"))
                .body("qa[0][1]", is("The assistant is always cheerful and positive"));
        post("{\"id\": \"cheerful-1\", \"goal\": \"again\"}").then().statusCode(409).contentType("application/problem+json");
        await().atMost(Duration.ofMinutes(2)).until(() -> given().get("/v1/controls/cheerful-1").then().extract()
                .<Integer>path("step") > 0);
        given().post("/v1/controls/cheerful-1/cancel").then().statusCode(200);
        JsonNode job = awaitEnd("cheerful-1");
        assertEquals("CANCELLED", job.path("status").asText(), job.toString());
        assertTrue(job.path("message").asText().startsWith("cancelled at step"), job.path("message").asText());
        given().post("/v1/controls/cheerful-1/cancel").then().statusCode(409);
    }

    @Test
    void aJobLeftRunningByADeadProcessEndsFailedWithTheReason() throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO control_jobs (id, status, control_text, qa, spec, step, total_steps)"
                    + " VALUES ('orphan-1', 'RUNNING', 'x', '[]', '{}', 7, 50)");
        }
        assertTrue(repository.failInterrupted() >= 1);
        given().get("/v1/controls/orphan-1").then().statusCode(200).body("status", is("FAILED"))
                .body("message", containsString("stopped while this job ran (at step 7 of 50)"));
    }
}
