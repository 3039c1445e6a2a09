package io.latentqa.dataset;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.Positions;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ActivationConsumerTest {

    static final String TOPIC = "latentqa.activations";
    static final String DIALOG = "[{\"role\":\"system\",\"content\":\"Be a pirate.\"},"
            + "{\"role\":\"user\",\"content\":\"Where is the treasure?\"}]";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    /** A small real event: 1 layer x the last 2 tokens x d_model 4. */
    static byte[] event(String requestId, ActivationEvent.Source source, String dialog) {
        float[] activations = new float[1 * 2 * 4];
        Arrays.fill(activations, 0.5f);
        return ActivationEventCodec.encode(new ActivationEvent("smollm2-135m-instruct", "cd".repeat(32),
                new int[] {15}, Positions.last(2), source, requestId, Instant.parse("2026-11-29T10:00:00Z"), dialog,
                new int[] {7, 8}, 2, 4, activations));
    }

    @Test
    void datasetCaptureIsStoredWithItsDialog() {
        TestKafka.send(bootstrap, TOPIC, "job-1-dialog-0", event("job-1-dialog-0", ActivationEvent.Source.DATASET, DIALOG));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/captures/job-1-dialog-0")
                .then().statusCode(200)
                .body("modelId", is("smollm2-135m-instruct"))
                .body("layers", is("15"))
                .body("positions", is("last:2"))
                .body("tokenCount", is(2))
                .body("dialog[0].content", is("Be a pirate."))
                .body("dialog[1].role", is("user")));
    }

    @Test
    void eventsFromOtherSourcesAreSkipped() {
        TestKafka.send(bootstrap, TOPIC, "traffic-1", event("traffic-1", ActivationEvent.Source.TRAFFIC, DIALOG));
        TestKafka.send(bootstrap, TOPIC, "job-2-dialog-0", event("job-2-dialog-0", ActivationEvent.Source.DATASET, null));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/captures/job-2-dialog-0").then().statusCode(200));
        given().when().get("/v1/captures/traffic-1")
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:capture-not-found"));
    }

    @Test
    void malformedCaptureGoesToDeadLetterTopicWithReasonAndNextCaptureIsStored() {
        byte[] badDialog = event("job-3-bad-dialog", ActivationEvent.Source.DATASET, "{not json");
        TestKafka.send(bootstrap, TOPIC, "job-3-bad-dialog", badDialog);
        byte[] truncated = Arrays.copyOf(event("job-3-truncated", ActivationEvent.Source.DATASET, DIALOG), 20);
        TestKafka.send(bootstrap, TOPIC, "job-3-truncated", truncated);
        TestKafka.send(bootstrap, TOPIC, "job-3-good", event("job-3-good", ActivationEvent.Source.DATASET, DIALOG));

        ConsumerRecord<String, byte[]> dead = TestKafka
                .find(bootstrap, TOPIC + ".dlq", "job-3-bad-dialog", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no record with key job-3-bad-dialog on " + TOPIC + ".dlq"));
        assertArrayEquals(badDialog, dead.value(), "the dead letter keeps the original bytes");
        String reason = TestKafka.header(dead, "dead-letter-reason");
        assertTrue(reason != null && reason.contains("has a dialog that is not valid JSON"),
                "dead-letter-reason was: " + reason);

        ConsumerRecord<String, byte[]> cut = TestKafka
                .find(bootstrap, TOPIC + ".dlq", "job-3-truncated", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("the truncated event was not dead-lettered"));
        String cutReason = TestKafka.header(cut, "dead-letter-reason");
        assertTrue(cutReason != null && cutReason.contains("rejected: not a valid safetensors file"),
                "dead-letter-reason was: " + cutReason);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/captures/job-3-good").then().statusCode(200));
    }
}
