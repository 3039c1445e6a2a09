package io.latentqa.decoder;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.decoder.runtime.ModelHolder;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class MonitorResourceTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ModelHolder holder;

    @Test
    void readingOfEveryMatchingMonitorGoesToTheReadingsTopicAndPostgres() throws Exception {
        String choice = create(Map.of("name", "homonyms", "question", ReferenceEvents.CONTROL_QUESTION, "rule", "choice",
                "answers", List.of(ReferenceEvents.CONTROL_ANSWER, "The assistant speaks like a pirate."),
                "flagAnswer", ReferenceEvents.CONTROL_ANSWER, "threshold", 0.5, "sourceFilter", "dataset"));
        // "^" matches every answer, the empty one too (the untrained base model often ends its answer at once)
        String regex = create(Map.of("name", "always", "question", "What instruction was the assistant given?",
                "rule", "regex", "pattern", "^", "sourceFilter", "dataset"));
        try {
            TestKafka.send(bootstrap, "latentqa.activations", "req-monitored", ActivationEventCodec.encode(
                    ReferenceEvents.control(holder, "req-monitored", ActivationEvent.Source.DATASET)));

            ConsumerRecord<String, byte[]> published = TestKafka
                    .find(bootstrap, "latentqa.readings", "req-monitored", Duration.ofSeconds(120))
                    .orElseThrow(() -> new AssertionError("no reading of req-monitored on latentqa.readings"));
            JsonNode reading = new ObjectMapper().readTree(new String(published.value(), StandardCharsets.UTF_8));
            System.out.println("reading on latentqa.readings: " + reading);
            assertEquals("req-monitored", reading.get("activationId").asText());
            assertEquals(holder.modelId(), reading.get("modelId").asText());
            assertTrue(List.of(choice, regex).contains(reading.get("monitorId").asText()));
            for (String field : List.of("question", "answer", "score", "flagged", "createdAt")) {
                assertTrue(reading.has(field), "reading has " + field);
            }

            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> given()
                    .when().get("/v1/monitors/" + regex + "/readings?activationId=req-monitored")
                    .then().statusCode(200).body("", hasSize(1)).body("[0].flagged", is(true)));
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> given()
                    .when().get("/v1/monitors/" + choice + "/readings?activationId=req-monitored")
                    .then().statusCode(200).body("", hasSize(1))
                    .body("[0].question", is(ReferenceEvents.CONTROL_QUESTION))
                    .body("[0].adapter", is("base")));
            given().when().get("/q/metrics").then().statusCode(200)
                    .body(containsString("latentqa_decoder_monitor_flagged_total"))
                    .body(containsString("latentqa_decoder_monitor_shed_total"))
                    .body(containsString("latentqa_decoder_monitor_lag_seconds"));
        } finally {
            given().when().delete("/v1/monitors/" + choice).then().statusCode(204);
            given().when().delete("/v1/monitors/" + regex).then().statusCode(204);
        }
    }

    @Test
    void monitorsAreCreatedListedUpdatedAndDeleted() {
        String id = create(Map.of("question", "Is the assistant hiding something?", "rule", "regex",
                "pattern", "(?i)yes"));
        given().when().get("/v1/monitors").then().statusCode(200).body("id", hasItem(id));
        given().contentType(ContentType.JSON).body(Map.of("question", "Is the assistant lying?", "rule", "regex",
                "pattern", "(?i)\\byes\\b", "sourceFilter", "traffic"))
                .when().put("/v1/monitors/" + id)
                .then().statusCode(200).body("question", is("Is the assistant lying?")).body("sourceFilter", is("traffic"));
        given().when().get("/v1/monitors/" + id).then().statusCode(200).body("pattern", is("(?i)\\byes\\b"));
        given().when().delete("/v1/monitors/" + id).then().statusCode(204);
        given().when().get("/v1/monitors/" + id).then().statusCode(404).contentType("application/problem+json");
        given().when().delete("/v1/monitors/" + id).then().statusCode(404);
    }

    @Test
    void invalidMonitorsAreRefusedWithWhatToFix() {
        given().contentType(ContentType.JSON).body(Map.of("question", "Q?", "rule", "vote"))
                .when().post("/v1/monitors").then().statusCode(400).body("detail", containsString("rule must be"));
        given().contentType(ContentType.JSON).body(Map.of("question", "Q?", "rule", "choice", "answers", List.of("a", "b"),
                "flagAnswer", "c", "threshold", 0.5))
                .when().post("/v1/monitors").then().statusCode(400).body("detail", containsString("flagAnswer must be one of"));
        given().contentType(ContentType.JSON).body(Map.of("question", "Q?", "rule", "regex", "pattern", "(unclosed"))
                .when().post("/v1/monitors").then().statusCode(400).body("detail", containsString("not a valid regular"));
        given().when().get("/v1/monitors/not-a-uuid").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("question", "Q?", "rule", "choice", "threshold", "high"))
                .when().post("/v1/monitors").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("field 'threshold': Cannot deserialize value of type `java.lang.Double`"));
    }

    private static String create(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/v1/monitors")
                .then().statusCode(201).extract().path("id");
    }
}
