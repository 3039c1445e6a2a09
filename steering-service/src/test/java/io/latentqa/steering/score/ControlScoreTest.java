package io.latentqa.steering.score;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.ndarray.NDManager;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.Positions;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.ReadPrompt;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;
import io.latentqa.core.steer.Steerer;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.latentqa.steering.runtime.ModelHolder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

/**
 * Control scores on the activation stream, stories260K with the base model as decoder: an activation event on
 * latentqa.activations gets a score on latentqa.control-scores for each scoring control and none for a control whose
 * scoring is off; the score equals the decoder loss recomputed in-process from the same text (the event carries bf16
 * activations, hence the tolerance); the metric is exported per control; malformed events and events of another
 * model go to the dead-letter topic with the reason.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ControlScoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "Once upon a time there was a happy little cat named Lily who loved her red ball.";
    private static final String QUESTION = "What animal is the story about?";
    private static final String ANSWER = "a cat";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ModelHolder models;

    private ActivationEvent event(String requestId, LitRead read) {
        try (GradMode off = GradMode.off(); NDManager manager = NDManager.newBaseManager()) {
            float[] residual = models.model().forward(ForwardRequest.builder().setTokens(TokenBatch.of(List.of(read.ids())))
                    .optRead(3).optReadPositions(RowPositions.all()).build(), manager).residual(3).toFloatArray();
            return ActivationEvent.capture(models.modelId(), "sha256:" + models.digest(), new int[] {3}, Positions.ALL,
                    ActivationEvent.Source.TRAFFIC, requestId, Instant.now(), null, new float[][] {residual}, read.ids(),
                    models.model().config().dim());
        }
    }

    /** Every record of latentqa.control-scores keyed {@code key}, read until score-on's appears and a little longer. */
    private List<JsonNode> scores(String key, Duration timeout) throws Exception {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<JsonNode> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("latentqa.control-scores", Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition("latentqa.control-scores", info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    if (key.equals(record.key())) {
                        JsonNode score = JSON.readTree(new String(record.value(), StandardCharsets.UTF_8));
                        found.add(score);
                        if (score.path("controlId").asText().equals("score-on")) {
                            settle = System.nanoTime() + Duration.ofSeconds(5).toNanos(); // the engine scores all controls of an event at once
                        }
                    }
                }
            }
        }
        return found;
    }

    @Test
    void everyEventIsScoredAgainstEveryScoringControlAsTheDecoderLossOfItsAnswers() throws Exception {
        String control = "{\"\": [[\"" + QUESTION + "\", \"" + ANSWER + "\"]]}";
        given().contentType(ContentType.JSON).body("{\"id\": \"score-on\", \"control\": " + control.replace("\"\"", "\"cat\"")
                + ", \"samples\": 1}").post("/v1/controls").then().statusCode(202).body("scoring", is(true));
        given().contentType(ContentType.JSON).body("{\"id\": \"score-off\", \"control\": " + control.replace("\"\"", "\"dog\"")
                + ", \"samples\": 1, \"score\": false}").post("/v1/controls").then().statusCode(202).body("scoring", is(false));

        LitRead read = models.builder().read(ReadPrompt.unmasked(List.of(ChatMessage.user(TEXT)), false));
        TestKafka.send(bootstrap, "latentqa.activations", "event-1", ActivationEventCodec.encode(event("event-1", read)));

        // other test classes' controls share the database: look for this test's two controls among the event's scores
        List<JsonNode> scores = scores("event-1", Duration.ofSeconds(90));
        JsonNode score = scores.stream().filter(s -> s.path("controlId").asText().equals("score-on")).findFirst()
                .orElseThrow(() -> new AssertionError("no score of control score-on for event-1 among " + scores));
        assertTrue(scores.stream().noneMatch(s -> s.path("controlId").asText().equals("score-off")),
                "a control with scoring off is not scored: " + scores);
        assertEquals("event-1", score.path("activationId").asText());
        assertEquals(3, score.path("readLayer").asInt());
        double loss = score.path("loss").asDouble();

        LitExample example = models.builder().build(ReadPrompt.unmasked(List.of(ChatMessage.user(TEXT)), false), QUESTION, ANSWER);
        double expected = Steerer.meanLoss(models.model(), List.of(example), 3, 0, null, null);
        assertEquals(expected, loss, 0.02 * expected, "the published score is the decoder's answer NLL on the event's vectors");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").asString();
            assertTrue(metrics.contains("latentqa_steering_control_score_count{control=\"score-on\""), "the score metric per control");
            assertFalse(metrics.contains("control=\"score-off\""), "a control with scoring off has no score");
        });

        given().contentType(ContentType.JSON).body("{\"active\": false}").post("/v1/controls/score-on/scoring")
                .then().statusCode(200).body("scoring", is(false));
        given().contentType(ContentType.JSON).body("{\"active\": \"no\"}").post("/v1/controls/score-on/scoring")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("active"));
    }

    @Test
    void malformedEventsAndEventsOfAnotherModelGoToTheDeadLetterTopicWithTheReason() {
        TestKafka.send(bootstrap, "latentqa.activations", "bad-1", "not a safetensors file".getBytes(StandardCharsets.UTF_8));
        LitRead read = models.builder().read(ReadPrompt.unmasked(List.of(ChatMessage.user(TEXT)), false));
        ActivationEvent own = event("other-1", read);
        ActivationEvent other = new ActivationEvent("another-model", "sha256:" + "0".repeat(64), own.layers(), own.positions(),
                own.source(), own.requestId(), own.createdAt(), null, own.tokenIds(), own.tokens(), own.dModel(), own.activations());
        TestKafka.send(bootstrap, "latentqa.activations", "other-1", ActivationEventCodec.encode(other));

        ConsumerRecord<String, byte[]> bad = TestKafka.find(bootstrap, "latentqa.activations.dlq", "bad-1", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("the malformed event was not dead-lettered"));
        assertTrue(TestKafka.header(bad, "dead-letter-reason").contains("rejected"), TestKafka.header(bad, "dead-letter-reason"));
        ConsumerRecord<String, byte[]> foreign = TestKafka.find(bootstrap, "latentqa.activations.dlq", "other-1", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("the other model's event was not dead-lettered"));
        assertTrue(TestKafka.header(foreign, "dead-letter-reason").contains("another-model"),
                TestKafka.header(foreign, "dead-letter-reason"));
    }
}
