package io.latentqa.trainer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
class TrainingRequestConsumerTest {

    static final String TOPIC = "latentqa.training-requests";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void trainingRequestOnTheTopicIsQueuedAsRun() {
        TestKafka.send(bootstrap, TOPIC, "run-from-kafka", "{\"hyperparameters\": {\"steps\": 3}}");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/runs/run-from-kafka")
                .then().statusCode(200)
                .body("status", is("QUEUED"))
                .body("source", is("kafka"))
                .body("spec.hyperparameters.steps", is(3)));
    }

    @Test
    void malformedRequestGoesToDeadLetterTopicWithReasonAndNextRequestIsQueued() {
        byte[] malformed = "{\"hyperparameters\": ".getBytes(StandardCharsets.UTF_8);
        TestKafka.send(bootstrap, TOPIC, "run-malformed", malformed);
        TestKafka.send(bootstrap, TOPIC, "run-after-malformed", "{}");

        ConsumerRecord<String, byte[]> dead = TestKafka
                .find(bootstrap, TOPIC + ".dlq", "run-malformed", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no record with key run-malformed on " + TOPIC + ".dlq"));
        assertArrayEquals(malformed, dead.value(), "the dead letter keeps the original bytes");
        String reason = TestKafka.header(dead, "dead-letter-reason");
        assertTrue(reason != null && reason.contains("is not valid JSON"), "dead-letter-reason was: " + reason);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .when().get("/v1/runs/run-after-malformed")
                .then().statusCode(200).body("status", is("QUEUED")));
        given().when().get("/v1/runs/run-malformed").then().statusCode(404);
    }

    @Test
    void requestWithoutRunIdKeyGoesToDeadLetterTopic() {
        TestKafka.send(bootstrap, TOPIC, "run with spaces", "{}");

        ConsumerRecord<String, byte[]> dead = TestKafka
                .find(bootstrap, TOPIC + ".dlq", "run with spaces", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("the record with an invalid key was not dead-lettered"));
        assertEquals("the record key must be a run id (1-100 letters, digits, '.', '_' or '-', starting with a letter"
                + " or digit), got 'run with spaces'", TestKafka.header(dead, "dead-letter-reason"));
    }
}
