package io.latentqa.capture;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ModelEventConsumerTest {

    static final String TOPIC = "latentqa.model-events";
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    static String published(String adapterId, String kind) {
        return "{\"event\": \"published\", \"adapterId\": \"" + adapterId + "\", \"kind\": \"" + kind + "\","
                + " \"digest\": \"" + DIGEST + "\", \"baseModelId\": \"smollm2-135m-instruct\","
                + " \"runId\": \"control-7\", \"uri\": \"file:///adapters/" + adapterId + ".safetensors\"}";
    }

    @Test
    void publishedSteeringAdapterIsRegisteredAndRetiredLater() {
        TestKafka.send(bootstrap, TOPIC, "steer-honest", published("steer-honest", "steering"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/steering-adapters/steer-honest")
                .then().statusCode(200)
                .body("status", is("published"))
                .body("digest", is(DIGEST))
                .body("baseModelId", is("smollm2-135m-instruct"))
                .body("retiredAt", nullValue()));

        TestKafka.send(bootstrap, TOPIC, "steer-honest",
                "{\"event\": \"retired\", \"adapterId\": \"steer-honest\", \"kind\": \"steering\"}");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/steering-adapters/steer-honest")
                .then().statusCode(200).body("status", is("retired")));
    }

    @Test
    void decoderAdapterEventIsSkipped() {
        TestKafka.send(bootstrap, TOPIC, "decoder-not-mine", published("decoder-not-mine", "decoder"));
        TestKafka.send(bootstrap, TOPIC, "steer-after-decoder", published("steer-after-decoder", "steering"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/steering-adapters/steer-after-decoder").then().statusCode(200));
        given().when().get("/v1/steering-adapters/decoder-not-mine").then().statusCode(404);
    }

    @Test
    void malformedEventGoesToDeadLetterTopicWithReasonAndNextEventIsApplied() {
        byte[] malformed = "{\"event\": \"published\", \"adapterId\": ".getBytes(StandardCharsets.UTF_8);
        TestKafka.send(bootstrap, TOPIC, "steer-malformed", malformed);
        String noDigest = "{\"event\": \"published\", \"adapterId\": \"steer-no-digest\", \"kind\": \"steering\"}";
        TestKafka.send(bootstrap, TOPIC, "steer-no-digest", noDigest);
        TestKafka.send(bootstrap, TOPIC, "steer-after-malformed", published("steer-after-malformed", "steering"));

        ConsumerRecord<String, byte[]> dead = TestKafka
                .find(bootstrap, TOPIC + ".dlq", "steer-malformed", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no record with key steer-malformed on " + TOPIC + ".dlq"));
        assertArrayEquals(malformed, dead.value(), "the dead letter keeps the original bytes");
        String reason = TestKafka.header(dead, "dead-letter-reason");
        assertTrue(reason != null && reason.contains("is not valid JSON"), "dead-letter-reason was: " + reason);

        ConsumerRecord<String, byte[]> undigested = TestKafka
                .find(bootstrap, TOPIC + ".dlq", "steer-no-digest", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("the event without digest was not dead-lettered"));
        String digestReason = TestKafka.header(undigested, "dead-letter-reason");
        assertTrue(digestReason != null && digestReason.contains("needs digest"), "reason was: " + digestReason);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/steering-adapters/steer-after-malformed")
                .then().statusCode(200).body("status", is("published")));
    }
}
