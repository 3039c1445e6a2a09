package io.latentqa.capture;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDManager;
import io.latentqa.capture.runtime.ModelHolder;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * Steering adapters announced on latentqa.model-events are hot-loaded: a request that names one runs with
 * it (the captured activations are those of an in-process forward with the same adapter), and once it is
 * retired the name is refused again. The adapter is the PEFT LoRA of the shared reference folder (B filled
 * with N(0, 0.02), so it changes the model).
 */
@QuarkusTest
@WithTestResource(RestartableKafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class SteeringAdapterTest {

    @Inject
    ModelHolder holder;

    static Path referenceAdapter() {
        return Path.of(System.getProperty("latentqa.shared"), "models", "smollm2-135m-instruct", "reference", "lora");
    }

    String body(String adapterId) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"Describe the sea.\"}], \"max_tokens\": 6,"
                + " \"temperature\": 0, \"latentqa\": {\"steering\": \"" + adapterId + "\", \"capture\": {\"layers\": [15],"
                + " \"dtype\": \"F32\"}}}";
    }

    @Test
    void publishedAdapterIsHotLoadedAppliedAndRetired() throws IOException {
        String adapterId = "steer-test-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("latentqa-test-adapter-");
        for (String file : List.of("adapter_model.safetensors", "adapter_config.json")) {
            Files.copy(referenceAdapter().resolve(file), dir.resolve(file));
        }
        String digest = "sha256:" + ModelLoader.sha256(List.of(dir.resolve("adapter_model.safetensors")));
        TestKafka.send(KafkaBrokerProcess.bootstrap(), "latentqa.model-events", adapterId,
                "{\"event\": \"published\", \"adapterId\": \"" + adapterId + "\", \"kind\": \"steering\", \"digest\": \""
                        + digest + "\", \"baseModelId\": \"" + holder.modelId() + "\", \"runId\": \"control-test\","
                        + " \"uri\": \"" + dir.toUri() + "\"}");

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().contentType("application/json").body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                        + " \"max_tokens\": 1, \"latentqa\": {\"steering\": \"" + adapterId + "\", \"capture\": false}}")
                        .when().post("/v1/chat/completions").then().statusCode(200));

        JsonPath steered = given().contentType("application/json").body(body(adapterId))
                .when().post("/v1/chat/completions").then().statusCode(200)
                .body("latentqa.steering", is(adapterId)).extract().jsonPath();
        ActivationEvent event = CaptureTests.event(steered.getString("id"));
        int[] ids = event.tokenIds();
        float[] withAdapter;
        float[] base;
        try (NDManager manager = NDManager.newBaseManager()) {
            withAdapter = holder.model().forward(ForwardRequest.builder().setTokens(TokenBatch.of(ids)).optRead(15)
                    .optReadPositions(RowPositions.all()).optAdapter(adapterId).build(), manager).residual(15).toFloatArray();
            base = holder.model().forward(ForwardRequest.read(TokenBatch.of(ids), List.of(15), RowPositions.all()),
                    manager).residual(15).toFloatArray();
        }
        float[] captured = event.activations();
        int d = event.dModel();
        double worstSteered = 0;
        double largestBase = 0;
        for (int t = 0; t < ids.length; t++) {
            float rowMax = 0;
            float diffSteered = 0;
            float diffBase = 0;
            for (int i = 0; i < d; i++) {
                rowMax = Math.max(rowMax, Math.abs(withAdapter[t * d + i]));
                diffSteered = Math.max(diffSteered, Math.abs(captured[t * d + i] - withAdapter[t * d + i]));
                diffBase = Math.max(diffBase, Math.abs(captured[t * d + i] - base[t * d + i]));
            }
            worstSteered = Math.max(worstSteered, diffSteered / rowMax);
            largestBase = Math.max(largestBase, diffBase / rowMax);
        }
        assertTrue(worstSteered <= ActivationEventTest.F32_RELATIVE,
                "captured = forward with the adapter, worst row-relative difference " + worstSteered);
        assertTrue(largestBase > 1e-3, "the adapter changes the residual stream (vs base: " + largestBase + ")");
        System.out.printf("steered capture vs forward with adapter: %.3g; vs base model: %.3g%n", worstSteered,
                largestBase);

        TestKafka.send(KafkaBrokerProcess.bootstrap(), "latentqa.model-events", adapterId,
                "{\"event\": \"retired\", \"adapterId\": \"" + adapterId + "\", \"kind\": \"steering\"}");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().contentType("application/json").body(body(adapterId))
                        .when().post("/v1/chat/completions").then().statusCode(400)
                        .body("type", is("urn:latentqa:problem:unknown-adapter"))
                        .body("detail", containsString(adapterId)));
        assertEquals(-1, holder.model().adapterNames().stream().toList().indexOf(adapterId));
    }

    @Test
    void adapterWithWrongDigestIsNotLoadedAndTheRequestSaysWhy() throws IOException {
        String adapterId = "steer-bad-digest-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("latentqa-test-adapter-");
        for (String file : List.of("adapter_model.safetensors", "adapter_config.json")) {
            Files.copy(referenceAdapter().resolve(file), dir.resolve(file));
        }
        TestKafka.send(KafkaBrokerProcess.bootstrap(), "latentqa.model-events", adapterId,
                "{\"event\": \"published\", \"adapterId\": \"" + adapterId + "\", \"kind\": \"steering\", \"digest\": \"sha256:"
                        + "0".repeat(64) + "\", \"uri\": \"" + dir.toUri() + "\"}");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().contentType("application/json").body(body(adapterId))
                        .when().post("/v1/chat/completions").then().statusCode(400)
                        .body("detail", containsString("could not be loaded"))
                        .body("detail", containsString("has digest")));
    }
}
