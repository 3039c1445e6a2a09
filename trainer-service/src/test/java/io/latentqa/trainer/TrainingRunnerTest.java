package io.latentqa.trainer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.io.SafetensorsFile;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.latentqa.trainer.run.RunRepository;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * A tiny run end to end with the runner on: queued over REST, trained (2 steps of SmolLM2, r 4, batch 1),
 * checkpointed, evaluated, reported, and its adapter published on latentqa.model-events.
 */
@QuarkusTest
@TestProfile(TrainingRunnerTest.RunnerOn.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class TrainingRunnerTest {

    public static class RunnerOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("latentqa.trainer.runner.enabled", "true", "latentqa.trainer.runner.poll-millis", "200");
        }
    }

    static final String TINY = """
            {"data": {"split": "eval", "kinds": ["control"], "sources": ["control"], "labelPrefix": "sqa-", "limit": 2},
             "eval": {"split": "eval", "kinds": ["control"], "sources": ["control"], "labelPrefix": "sqa-", "limit": 6,
                      "mcItems": 1, "generate": 1},
             "lora": {"rank": 4},
             "hyperparameters": {"batchSize": 1, "steps": 2, "checkpointEvery": 1, "learningRate": 0.001, "seed": 3}}""";

    /** Two records at batch 1: a 4-step run crosses into a second epoch (its batches shuffled anew). */
    static String twoRecords(int steps) {
        return """
                {"data": {"split": "eval", "kinds": ["control"], "sources": ["control"], "labelPrefix": "sqa-", "limit": 2},
                 "eval": {"split": "eval", "kinds": ["control"], "sources": ["control"], "labelPrefix": "sqa-", "limit": 1,
                          "mcItems": 0, "generate": 0},
                 "lora": {"rank": 4},
                 "hyperparameters": {"batchSize": 1, "steps": %d, "checkpointEvery": 1, "learningRate": 0.001, "seed": 5}}"""
                .formatted(steps);
    }

    @Inject
    RunRepository repository;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void runTrainsReportsProgressAndPublishesItsAdapter() throws Exception {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-tiny\", \"spec\": " + TINY + "}")
                .when().post("/v1/runs").then().statusCode(201);
        // a second request waits for the first, and says so
        given().contentType(ContentType.JSON).body("{\"id\": \"run-waiting\", \"spec\": " + TINY + "}")
                .when().post("/v1/runs").then().statusCode(201).body("status", is("QUEUED"));
        String waiting = given().when().get("/v1/runs/run-waiting").then().extract().path("message");
        assertTrue(waiting.startsWith("queued"), waiting);
        given().when().post("/v1/runs/run-waiting/cancel").then().statusCode(200).body("status", is("CANCELLED"));

        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> given()
                .when().get("/v1/runs/run-tiny").then().statusCode(200).body("status", is("SUCCEEDED")));
        JsonPath run = given().when().get("/v1/runs/run-tiny").then().extract().jsonPath();
        System.out.println("run-tiny: " + run.prettify());
        assertEquals(2, run.getInt("step"));
        assertEquals(2, run.getInt("totalSteps"));
        assertTrue(run.getDouble("loss") > 0 && run.getDouble("tokensPerSecond") > 0);
        assertEquals("decoder-run-tiny", run.getString("adapterId"));

        Path adapterDir = Path.of(run.getString("adapterUri").substring("file:".length()));
        assertTrue(Files.exists(adapterDir.resolve(AdapterFile.CONFIG_FILE)), "PEFT adapter_config.json in " + adapterDir);
        String digest = "sha256:" + ModelLoader.sha256(List.of(adapterDir.resolve(AdapterFile.WEIGHTS_FILE)));
        assertEquals(digest, run.getString("adapterDigest"));
        assertEquals("run-tiny", AdapterFile.readMetadata(adapterDir).get(AdapterFile.META_TRAINING_RUN_ID));
        Path report = Path.of(run.getString("report"));
        assertTrue(Files.size(report.resolve("loss-curve.png")) > 1000, "loss-curve.png written");
        assertTrue(Files.exists(report.resolve("report.json")));
        String chart = Files.readString(report.resolve("fidelity.svg"));
        assertTrue(chart.startsWith("<svg") && chart.contains("untrained") && chart.contains("no activations"), chart);

        ConsumerRecord<String, byte[]> published = TestKafka
                .find(bootstrap, "latentqa.model-events", "decoder-run-tiny", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no published event for decoder-run-tiny"));
        JsonNode event = new ObjectMapper().readTree(published.value());
        assertEquals("published", event.get("event").asText());
        assertEquals("decoder", event.get("kind").asText());
        assertEquals(digest, event.get("digest").asText());
        assertEquals("run-tiny", event.get("runId").asText());
        assertEquals("file:" + adapterDir, event.get("uri").asText());
        assertEquals(15, event.get("readLayer").asInt());
        assertEquals(0, event.get("writeLayer").asInt());
        assertTrue(event.get("baseModelDigest").asText().matches("sha256:[0-9a-f]{64}"));
    }

    @Test
    void extendedRunTakesTheStepsOfARunAskedForThemFromTheStart() throws Exception {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-extended\", \"spec\": " + twoRecords(2) + "}")
                .when().post("/v1/runs").then().statusCode(201);
        String firstDigest = awaitSucceeded("run-extended", 2).getString("adapterDigest");
        given().contentType(ContentType.JSON).body("{\"steps\": 4}").when().post("/v1/runs/run-extended/extend")
                .then().statusCode(200).body("status", is("QUEUED")).body("totalSteps", is(4));
        JsonPath extended = awaitSucceeded("run-extended", 4);

        given().contentType(ContentType.JSON).body("{\"id\": \"run-straight\", \"spec\": " + twoRecords(4) + "}")
                .when().post("/v1/runs").then().statusCode(201);
        awaitSucceeded("run-straight", 4);

        List<double[]> straightLosses = repository.losses("run-straight", 4);
        List<double[]> extendedLosses = repository.losses("run-extended", 4);
        assertEquals(4, straightLosses.size());
        assertEquals(4, extendedLosses.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(straightLosses.get(i)[1], extendedLosses.get(i)[1], 1e-5, "loss of step " + (i + 1));
        }
        assertTrue(straightLosses.get(3)[1] != straightLosses.get(1)[1], "the steps after the extension trained on");
        // the adapter is published again, trained on
        Path adapterDir = Path.of(extended.getString("adapterUri").substring("file:".length()));
        String digest = "sha256:" + ModelLoader.sha256(List.of(adapterDir.resolve(AdapterFile.WEIGHTS_FILE)));
        assertEquals(digest, extended.getString("adapterDigest"));
        assertNotEquals(firstDigest, digest);

        // the 2-step adapter the extension replaced is published again from its checkpoint, under its own id
        given().when().get("/v1/runs/run-extended/checkpoints").then().statusCode(200)
                .body("step", is(List.of(1, 2, 3, 4)));
        JsonPath stage = given().contentType(ContentType.JSON).body("{\"step\": 2}").when().post("/v1/runs/run-extended/publish")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("decoder-run-extended-step-2", stage.getString("adapterId"));
        assertEquals(firstDigest, stage.getString("adapterDigest"));
        Path stageDir = Path.of(stage.getString("adapterUri").substring("file:".length()));
        assertEquals(firstDigest, "sha256:" + ModelLoader.sha256(List.of(stageDir.resolve(AdapterFile.WEIGHTS_FILE))));
        assertTrue(Files.exists(stageDir.resolve(AdapterFile.CONFIG_FILE)), "PEFT adapter_config.json in " + stageDir);
        JsonNode event = new ObjectMapper().readTree(TestKafka
                .find(bootstrap, "latentqa.model-events", "decoder-run-extended-step-2", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no published event for decoder-run-extended-step-2")).value());
        assertEquals("published", event.get("event").asText());
        assertEquals(firstDigest, event.get("digest").asText());
        assertEquals("run-extended", event.get("runId").asText());
        assertEquals(stage.getString("adapterUri"), event.get("uri").asText());
        assertEquals(15, event.get("readLayer").asInt());
        assertTrue(event.get("baseModelDigest").asText().matches("sha256:[0-9a-f]{64}"));
    }

    @Test
    void runStartsFromTheAdapterItsInitNames() throws Exception {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-init-source\", \"spec\": " + twoRecords(2) + "}")
                .when().post("/v1/runs").then().statusCode(201);
        Path source = adapterDir(awaitSucceeded("run-init-source", 2));

        // one step at a learning rate too small to move a weight: the adapter it publishes is the one it started from
        String fromSource = twoRecords(1).replace("\"learningRate\": 0.001", "\"learningRate\": 1e-12")
                .replaceFirst("\\{", "{\"init\": \"decoder-run-init-source\", ");
        given().contentType(ContentType.JSON).body("{\"id\": \"run-from-source\", \"spec\": " + fromSource + "}")
                .when().post("/v1/runs").then().statusCode(201);
        Path started = adapterDir(awaitSucceeded("run-from-source", 1));
        assertEquals("decoder-run-init-source", AdapterFile.readMetadata(started).get(AdapterFile.META_INIT_ADAPTER));
        // the same step from PEFT's initialisation (B = 0) publishes something else
        given().contentType(ContentType.JSON).body("{\"id\": \"run-from-scratch\", \"spec\": "
                + twoRecords(1).replace("\"learningRate\": 0.001", "\"learningRate\": 1e-12") + "}")
                .when().post("/v1/runs").then().statusCode(201);
        Path scratch = adapterDir(awaitSucceeded("run-from-scratch", 1));
        try (SafetensorsFile a = SafetensorsFile.open(source.resolve(AdapterFile.WEIGHTS_FILE));
             SafetensorsFile b = SafetensorsFile.open(started.resolve(AdapterFile.WEIGHTS_FILE));
             SafetensorsFile c = SafetensorsFile.open(scratch.resolve(AdapterFile.WEIGHTS_FILE))) {
            assertEquals(a.names(), b.names());
            double fromSourceDiff = 0;
            double fromScratchDiff = 0;
            for (String name : a.names()) {
                float[] x = a.readFloats(name);
                float[] y = b.readFloats(name);
                float[] z = c.readFloats(name);
                for (int i = 0; i < x.length; i++) {
                    fromSourceDiff = Math.max(fromSourceDiff, Math.abs(x[i] - y[i]));
                    fromScratchDiff = Math.max(fromScratchDiff, Math.abs(x[i] - z[i]));
                }
            }
            assertTrue(fromSourceDiff < 1e-6, "started from the source adapter: max |diff| " + fromSourceDiff);
            assertTrue(fromScratchDiff > 1e-4, "a run from scratch differs from the source: max |diff| " + fromScratchDiff);
        }

        // refused when queued, naming what to fix
        given().contentType(ContentType.JSON).body("{\"spec\": {\"init\": \"../../etc\"}}").when().post("/v1/runs")
                .then().statusCode(400).body("detail", containsString("init must be the id of a decoder adapter"));
        given().contentType(ContentType.JSON).body("{\"spec\": {\"init\": \"no-such-adapter\"}}").when().post("/v1/runs")
                .then().statusCode(400).body("detail", containsString("shipped: latentqa-smollm2-135m-v1"));
        given().contentType(ContentType.JSON).body("{\"spec\": " + twoRecords(1).replace("\"rank\": 4", "\"rank\": 8")
                .replaceFirst("\\{", "{\"init\": \"decoder-run-init-source\", ") + "}").when().post("/v1/runs")
                .then().statusCode(400).body("detail", containsString("has LoRA rank 4"));
    }

    private static Path adapterDir(JsonPath run) {
        return Path.of(run.getString("adapterUri").substring("file:".length()));
    }

    private static JsonPath awaitSucceeded(String id, int steps) {
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> given()
                .when().get("/v1/runs/" + id).then().statusCode(200).body("status", is("SUCCEEDED")).body("step", is(steps)));
        return given().when().get("/v1/runs/" + id).then().extract().jsonPath();
    }
}
