package io.latentqa.capture;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(RestartableKafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ChatCompletionResourceTest {

    static final String MODEL = "SmolLM2-135M-Instruct.Q4_1";
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/chat/completions")
    URL completions;

    @TestHTTPResource("/v1/models")
    URL models;

    @Test
    void curlGetsAnAnswerWithUsageAndItsActivationEvent() throws Exception {
        // curl -d sends a form content type: the body is read as JSON all the same
        List<String> out = CaptureTests.curl("-d", "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"What is the capital of France?\"}], \"max_tokens\": 12, \"temperature\": 0}",
                completions.toString());
        assertTrue(CaptureTests.status(out).startsWith("HTTP 200 application/json"), String.join("\n", out));
        JsonNode answer = JSON.readTree(CaptureTests.body(out));
        assertEquals("chat.completion", answer.path("object").asText());
        assertEquals(MODEL, answer.path("model").asText());
        assertEquals("assistant", answer.at("/choices/0/message/role").asText());
        assertFalse(answer.at("/choices/0/message/content").asText().isBlank(), answer.toString());
        assertTrue(answer.at("/usage/prompt_tokens").asInt() > 10, answer.toString());
        assertTrue(answer.at("/usage/completion_tokens").asInt() >= 1, answer.toString());
        assertEquals(answer.at("/usage/prompt_tokens").asInt() + answer.at("/usage/completion_tokens").asInt(),
                answer.at("/usage/total_tokens").asInt());
        JsonNode event = answer.at("/latentqa/activationEvent");
        assertEquals(answer.path("id").asText(), event.path("id").asText());
        assertEquals("spooled", event.path("status").asText(), event.toString());
        assertEquals("[15]", event.path("layers").toString());
        assertEquals("BF16", event.path("dtype").asText());
        assertEquals(answer.at("/usage/total_tokens").asInt(), event.path("tokens").asInt(),
                "positions all: one row per prompt and completion token");
        // and it is on Kafka, decodable, with the dialog
        var decoded = CaptureTests.event(answer.path("id").asText());
        assertEquals(event.path("tokens").asInt(), decoded.tokens());
        assertTrue(decoded.dialog().contains("capital of France"), decoded.dialog());
    }

    @Test
    void curlStreamsServerSentEventsEndingWithDone() throws Exception {
        List<String> out = CaptureTests.curl("-N", "-H", "Content-Type: application/json", "-d",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"Talk like a pirate.\"}, {\"role\": \"user\","
                        + " \"content\": \"Say hello.\"}], \"max_tokens\": 10, \"temperature\": 0, \"stream\": true}",
                completions.toString());
        assertTrue(CaptureTests.status(out).startsWith("HTTP 200 text/event-stream"), String.join("\n", out));
        List<String> data = out.stream().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
        assertEquals("[DONE]", data.get(data.size() - 1));
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (String chunk : data.subList(0, data.size() - 1)) {
            JsonNode node = JSON.readTree(chunk);
            assertEquals("chat.completion.chunk", node.path("object").asText());
            text.append(node.at("/choices/0/delta/content").asText(""));
            last = node;
        }
        assertEquals("assistant", JSON.readTree(data.get(0)).at("/choices/0/delta/role").asText());
        assertTrue(data.size() >= 4, "role chunk, text chunks, final chunk, [DONE]: " + data);
        assertTrue(List.of("stop", "length").contains(last.at("/choices/0/finish_reason").asText()), last.toString());
        assertTrue(last.at("/usage/completion_tokens").asInt() >= 1, last.toString());
        assertFalse(text.toString().isBlank());
        assertEquals("spooled", last.at("/latentqa/activationEvent/status").asText(), last.toString());
    }

    @Test
    void streamWithIncludeUsageEndsWithAUsageChunk() throws Exception {
        String body = given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 3, \"stream\": true,"
                        + " \"stream_options\": {\"include_usage\": true}, \"latentqa\": {\"capture\": false}}")
                .when().post("/v1/chat/completions")
                .then().statusCode(200).contentType("text/event-stream").extract().asString();
        List<String> data = body.lines().filter(line -> line.startsWith("data: ")).map(l -> l.substring(6)).toList();
        JsonNode usageChunk = JSON.readTree(data.get(data.size() - 2));
        assertEquals(0, usageChunk.path("choices").size());
        assertEquals(3, usageChunk.at("/usage/completion_tokens").asInt());
    }

    @Test
    void modelsListsTheServedModel() {
        List<String> out = CaptureTests.curl(models.toString());
        assertTrue(CaptureTests.status(out).startsWith("HTTP 200"));
        given().when().get("/v1/models").then().statusCode(200)
                .body("object", is("list"))
                .body("data", hasSize(1))
                .body("data[0].id", is(MODEL))
                .body("data[0].object", is("model"));
    }

    @Test
    void stopStringEndsTheAnswerBeforeIt() {
        Response response = given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Count from 1 to 10, separated by commas.\"}],"
                        + " \"max_tokens\": 40, \"temperature\": 0, \"stop\": [\"5\"], \"latentqa\": {\"capture\": false}}")
                .when().post("/v1/chat/completions");
        response.then().statusCode(200).body("choices[0].finish_reason", is("stop"));
        String content = response.path("choices[0].message.content");
        assertFalse(content.contains("5"), content);
        assertTrue(content.contains("4"), "the model counts: " + content);
    }

    @Test
    void concurrentRequestsShareForwardPasses() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> rows = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                rows.add(clients.submit(() -> given().contentType("application/json")
                        .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Name a colour, number " + n + ".\"}],"
                                + " \"max_tokens\": 6, \"seed\": " + n + "}")
                        .when().post("/v1/chat/completions")
                        .then().statusCode(200).extract().<Integer>path("latentqa.batchRows")));
            }
            int most = 0;
            for (Future<Integer> row : rows) {
                most = Math.max(most, row.get());
            }
            assertTrue(most > 1, "4 concurrent requests should share a batch; largest batch was " + most);
        } finally {
            clients.shutdownNow();
        }
    }

    // ---- the 400s ------------------------------------------------------------------------------------

    @Test
    void unknownAdapterIsProblem400ListingTheKnownOnes() {
        given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"latentqa\": {\"steering\": \"no-such-adapter\"}}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:unknown-adapter"))
                .body("status", is(400))
                .body("detail", containsString("'no-such-adapter'"))
                .body("detail", containsString("Known steering adapters:"));
    }

    @Test
    void badMessageListIsProblem400() {
        given().contentType("application/json").body("{\"messages\": []}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:invalid-messages"))
                .body("detail", containsString("non-empty array"));
        given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"wizard\", \"content\": \"x\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("messages[1].role must be one of"));
        given().contentType("application/json").body("{\"messages\": [{\"role\": \"user\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("detail", containsString("messages[0].content is missing"));
    }

    @Test
    void promptOverTheContextLengthIsProblem400() {
        String longText = "hello ".repeat(9000);
        given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"" + longText + "\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:context-length-exceeded"))
                .body("detail", containsString("context of 8192 tokens"));
        given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 9000}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("type", is("urn:latentqa:problem:context-length-exceeded"))
                .body("detail", containsString("ask for at most"));
    }

    @Test
    void nonJsonBodyIsProblem400() {
        List<String> out = CaptureTests.curl("-H", "Content-Type: application/json", "-d", "this is not json",
                completions.toString());
        assertTrue(CaptureTests.status(out).startsWith("HTTP 400 application/problem+json"), String.join("\n", out));
        assertTrue(CaptureTests.body(out).contains("\"type\":\"urn:latentqa:problem:invalid-json\""), CaptureTests.body(out));
        given().contentType("text/plain").body("[1, 2]")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("must be a JSON object"));
    }

    @Test
    void badCaptureSettingsAreProblem400() {
        given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"latentqa\": {\"capture\": {\"layers\": [30]}}}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("detail", containsString("blocks 0..29"));
        given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"latentqa\": {\"capture\": {\"positions\": \"first:3\"}}}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("detail", containsString("all, last:K, range:A:B, mean"));
        given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"latentqa\": {\"capture\": {\"dtype\": \"F64\"}}}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("detail", containsString("BF16, F16 or F32"));
    }

    @Test
    void unknownModelIsProblem404() {
        given().contentType("application/json")
                .body("{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString(MODEL));
    }

    @Test
    void readinessReportsTheSpool() {
        given().when().get("/q/health/ready").then()
                .body("checks.find { it.name == 'activation-event-spool' }.data.spooledRecords", notNullValue());
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("latentqa_capture_spool_records"))
                .body(containsString("latentqa_capture_spool_rejected_total"));
        given().when().get("/v1/models").then().body("data.size()", greaterThan(0));
    }
}
