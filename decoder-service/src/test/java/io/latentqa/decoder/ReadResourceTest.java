package io.latentqa.decoder;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.Positions;
import io.latentqa.decoder.runtime.ModelHolder;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ReadResourceTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ModelHolder holder;

    @Test
    void readByEventIdAndByUploadOfTheSameEventGiveTheSameAnswer() {
        byte[] bytes = ActivationEventCodec.encode(ReferenceEvents.control(holder, "req-read-same",
                ActivationEvent.Source.TRAFFIC));
        JsonPath uploaded = given().contentType(ContentType.BINARY).body(bytes)
                .queryParam("question", ReferenceEvents.CONTROL_QUESTION).queryParam("maxNewTokens", 12)
                .when().post("/v1/read")
                .then().statusCode(200)
                .body("activationId", is("req-read-same"))
                .body("adapter", is("base"))
                .body("vectors", is(47))
                .body("readLayer", is(15))
                .body("writeLayer", is(0))
                .body("answers", hasSize(1))
                .extract().jsonPath();

        TestKafka.send(bootstrap, "latentqa.activations", "req-read-same", bytes);
        Map<String, Object> body = Map.of("activationId", "req-read-same", "question", ReferenceEvents.CONTROL_QUESTION,
                "maxNewTokens", 12);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().contentType(ContentType.JSON).body(body)
                .when().post("/v1/read").then().statusCode(200));
        JsonPath byId = given().contentType(ContentType.JSON).body(body)
                .when().post("/v1/read").then().statusCode(200).extract().jsonPath();

        String answer = uploaded.getString("answers[0].answer");
        System.out.println("base-model reading of the control case: '" + answer + "' tokens "
                + uploaded.getList("answers[0].tokens"));
        assertFalse(uploaded.getList("answers[0].tokens").isEmpty());
        assertEquals(answer, byId.getString("answers[0].answer"));
        assertEquals(uploaded.getList("answers[0].tokens.id"), byId.getList("answers[0].tokens.id"));
        assertEquals(uploaded.getList("answers[0].tokens.logProb"), byId.getList("answers[0].tokens.logProb"));
    }

    @Test
    void severalQuestionsAreAnsweredInOrder() {
        byte[] bytes = ActivationEventCodec.encode(ReferenceEvents.control(holder, "req-read-many",
                ActivationEvent.Source.TRAFFIC));
        given().contentType(ContentType.BINARY).body(bytes)
                .queryParam("question", "What is the assistant asked to do?")
                .queryParam("question", ReferenceEvents.CONTROL_QUESTION)
                .queryParam("maxNewTokens", 4)
                .when().post("/v1/read")
                .then().statusCode(200)
                .body("answers", hasSize(2))
                .body("answers[0].question", is("What is the assistant asked to do?"))
                .body("answers[1].question", is(ReferenceEvents.CONTROL_QUESTION))
                .body("answers[0].tokens.size()", lessThanOrEqualTo(4))
                .body("answers[1].tokens.size()", greaterThanOrEqualTo(1));
    }

    @Test
    void unknownIdIs404AndUnreadableActivationsAre400() {
        given().contentType(ContentType.JSON).body(Map.of("activationId", "never-published", "question", "Why?"))
                .when().post("/v1/read")
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:activation-not-found"));

        ActivationEvent all = ReferenceEvents.control(holder, "req-last", ActivationEvent.Source.TRAFFIC);
        int d = all.dModel();
        ActivationEvent last = new ActivationEvent(all.modelId(), all.modelDigest(), all.layers(), Positions.last(4),
                all.source(), all.requestId(), all.createdAt(), null, Arrays.copyOfRange(all.tokenIds(), 44, 48), 4, d,
                Arrays.copyOfRange(all.activations(), 44 * d, 48 * d));
        given().contentType(ContentType.BINARY).body(ActivationEventCodec.encode(last)).queryParam("question", "Why?")
                .when().post("/v1/read")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("reading needs positions 'all'"));

        given().contentType(ContentType.BINARY).body("not safetensors".getBytes()).queryParam("question", "Why?")
                .when().post("/v1/read")
                .then().statusCode(400).body("detail", containsString("the uploaded activation event is invalid"));

        given().contentType(ContentType.JSON).body(Map.of("activationId", "req-last", "maxNewTokens", "lots"))
                .when().post("/v1/read")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("field 'maxNewTokens': Cannot deserialize value of type `java.lang.Integer`"));
        given().contentType(ContentType.JSON).body(Map.of("dialog", List.of(Map.of("role", List.of("user")))))
                .when().post("/v1/score")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("field 'dialog[0].role': Cannot deserialize value of type `java.lang.String`"));
    }

    @Test
    void scoreRanksCandidateAnswersWithAndWithoutNormalisation() {
        byte[] bytes = ActivationEventCodec.encode(ReferenceEvents.control(holder, "req-score",
                ActivationEvent.Source.TRAFFIC));
        List<String> answers = List.of(ReferenceEvents.CONTROL_ANSWER, "The assistant speaks like a pirate.");
        JsonPath scored = given().contentType(ContentType.BINARY).body(bytes)
                .queryParam("question", ReferenceEvents.CONTROL_QUESTION)
                .queryParam("answer", answers.get(0)).queryParam("answer", answers.get(1))
                .queryParam("normalise", true)
                .when().post("/v1/score")
                .then().statusCode(200)
                .body("candidates", hasSize(2))
                .body("normalised", is(true))
                .extract().jsonPath();
        System.out.println("score: " + scored.prettify());
        List<Integer> ranks = scored.getList("candidates.rank", Integer.class);
        assertEquals(List.of(1, 2), ranks.stream().sorted().toList());
        float p = scored.getFloat("candidates[0].probability") + scored.getFloat("candidates[1].probability");
        assertEquals(1f, p, 1e-5f);
    }
}
