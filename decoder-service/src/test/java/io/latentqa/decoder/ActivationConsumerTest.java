package io.latentqa.decoder;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.ClaimCheck;
import io.latentqa.core.events.LocalBlobStore;
import io.latentqa.core.events.Positions;
import io.latentqa.core.io.SafetensorsDType;
import io.latentqa.core.io.SafetensorsWriter;
import io.latentqa.decoder.runtime.ModelHolder;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ActivationConsumerTest {

    static final String TOPIC = "latentqa.activations";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    DecoderConfig config;

    @Inject
    ModelHolder holder;

    /** A small event of the loaded model: 2 layers x 3 tokens x its d_model, values i/1000. */
    ActivationEvent event(String requestId, ActivationEvent.Source source) {
        int dModel = holder.model().config().dim();
        float[] activations = new float[2 * 3 * dModel];
        for (int i = 0; i < activations.length; i++) {
            activations[i] = i / 1000f;
        }
        return new ActivationEvent(holder.modelId(), holder.digest(), new int[] {3, 5}, Positions.ALL, source, requestId,
                Instant.parse("2026-11-29T10:00:00Z"), "[{\"role\":\"user\",\"content\":\"hi\"}]",
                new int[] {1, 2, 3}, 3, dModel, activations);
    }

    /** The dead letter of a record, with its reason. */
    static String deadLetterReason(String bootstrap, String key) {
        ConsumerRecord<String, byte[]> dead = TestKafka.find(bootstrap, TOPIC + ".dlq", key, Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no record with key " + key + " on " + TOPIC + ".dlq"));
        return TestKafka.header(dead, "dead-letter-reason");
    }

    @Test
    void activationEventOnTheTopicIsLogged() {
        byte[] value = ActivationEventCodec.encode(event("req-logged", ActivationEvent.Source.TRAFFIC));
        TestKafka.send(bootstrap, TOPIC, "req-logged", value);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/activations/req-logged")
                .then().statusCode(200)
                .body("modelId", is(holder.modelId()))
                .body("layers", is("3,5"))
                .body("positions", is("all"))
                .body("source", is("traffic"))
                .body("tokenCount", is(3))
                .body("dModel", is(holder.model().config().dim()))
                .body("hasDialog", is(true))
                .body("blobUri", nullValue())
                .body("valueBytes", is(value.length)));
    }

    @Test
    void malformedEventGoesToDeadLetterTopicWithReasonAndNextEventIsLogged() {
        byte[] malformed = "definitely not safetensors".getBytes(StandardCharsets.UTF_8);
        TestKafka.send(bootstrap, TOPIC, "req-malformed", malformed);
        TestKafka.send(bootstrap, TOPIC, "req-after-malformed",
                ActivationEventCodec.encode(event("req-after-malformed", ActivationEvent.Source.EVAL)));

        ConsumerRecord<String, byte[]> dead = TestKafka
                .find(bootstrap, TOPIC + ".dlq", "req-malformed", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no record with key req-malformed on " + TOPIC + ".dlq"));
        assertArrayEquals(malformed, dead.value(), "the dead letter keeps the original bytes");
        String reason = TestKafka.header(dead, "dead-letter-reason");
        assertTrue(reason != null && reason.startsWith("activation event req-malformed rejected: not a valid safetensors"),
                "dead-letter-reason was: " + reason);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/activations/req-after-malformed")
                .then().statusCode(200).body("source", is("eval")));
        given().when().get("/v1/activations/req-malformed").then().statusCode(404);
    }

    @Test
    void eventsOfAnotherModelWidthOrWithNaNGoToDeadLetterTopicAndTheConsumerContinues() {
        int dModel = holder.model().config().dim();
        TestKafka.send(bootstrap, TOPIC, "req-unknown-model", ActivationEventCodec.encode(
                ReferenceEvents.control("Unknown-Model-7B", "ef".repeat(32), "req-unknown-model", dModel)));
        TestKafka.send(bootstrap, TOPIC, "req-wrong-width", ActivationEventCodec.encode(
                ReferenceEvents.control(holder.modelId(), holder.digest(), "req-wrong-width", 64)));
        // NaN cannot be encoded by the codec (it refuses): write the safetensors file by hand
        ActivationEvent finite = event("req-nan", ActivationEvent.Source.TRAFFIC);
        float[] withNaN = finite.activations().clone();
        withNaN[dModel + 7] = Float.NaN;
        byte[] nan = new SafetensorsWriter().metadata(ActivationEventCodec.metadata(finite))
                .putFloats(ActivationEventCodec.ACTIVATIONS, SafetensorsDType.F32, new long[] {2, 3, dModel}, withNaN)
                .putInts(ActivationEventCodec.TOKEN_IDS, new long[] {3}, finite.tokenIds())
                .toBytes();
        TestKafka.send(bootstrap, TOPIC, "req-nan", nan);
        byte[] truncatedHeader = Arrays.copyOf(ActivationEventCodec.encode(event("req-bad-header",
                ActivationEvent.Source.TRAFFIC)), 40);
        TestKafka.send(bootstrap, TOPIC, "req-bad-header", truncatedHeader);
        TestKafka.send(bootstrap, TOPIC, "req-after-rejects",
                ActivationEventCodec.encode(event("req-after-rejects", ActivationEvent.Source.TRAFFIC)));

        String unknown = deadLetterReason(bootstrap, "req-unknown-model");
        assertTrue(unknown.contains("unknown model 'Unknown-Model-7B'"), "dead-letter-reason was: " + unknown);
        String width = deadLetterReason(bootstrap, "req-wrong-width");
        assertTrue(width.contains("d_model 64 does not match the hidden size " + dModel), "dead-letter-reason was: " + width);
        String nanReason = deadLetterReason(bootstrap, "req-nan");
        assertTrue(nanReason.contains("holds NaN"), "dead-letter-reason was: " + nanReason);
        String header = deadLetterReason(bootstrap, "req-bad-header");
        assertTrue(header.contains("not a valid safetensors"), "dead-letter-reason was: " + header);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/activations/req-after-rejects").then().statusCode(200));
    }

    @Test
    void keyThatIsNotTheRequestIdGoesToDeadLetterTopic() {
        TestKafka.send(bootstrap, TOPIC, "req-wrong-key",
                ActivationEventCodec.encode(event("req-other", ActivationEvent.Source.TRAFFIC)));

        ConsumerRecord<String, byte[]> dead = TestKafka
                .find(bootstrap, TOPIC + ".dlq", "req-wrong-key", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("the record with a wrong key was not dead-lettered"));
        String reason = TestKafka.header(dead, "dead-letter-reason");
        assertTrue(reason != null && reason.contains("differs from the event's request_id 'req-other'"),
                "dead-letter-reason was: " + reason);
    }

    @Test
    void claimCheckIsResolvedFromTheBlobStore() throws Exception {
        byte[] eventBytes = ActivationEventCodec.encode(event("req-claimed", ActivationEvent.Source.TRAFFIC));
        // an inline limit of 0 bytes makes every event a claim check
        byte[] claim = new ClaimCheck(new LocalBlobStore(config.blobDir()), 0).toValue(eventBytes);
        TestKafka.send(bootstrap, TOPIC, "req-claimed", claim);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/activations/req-claimed")
                .then().statusCode(200)
                .body("blobUri", notNullValue())
                .body("hasDialog", is(true))
                .body("valueBytes", is(claim.length)));
    }

    @Test
    void unknownRequestIsProblem404AndBadSourceIsProblem400() {
        given().when().get("/v1/activations/never-seen")
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:activation-not-found"));
        given().when().get("/v1/activations?source=elsewhere")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", startsWith("source must be one of"));
    }
}
