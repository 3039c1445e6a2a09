package io.latentqa.dataset.generate;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.latentqa.dataset.TestJobs;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class GenerateQaJobTest {

    final ObjectMapper json = new ObjectMapper();

    /** Imports behaviour records without QA from a temporary data folder; @return the import job's id. */
    static String importSystemRecords(String folder, String records) throws IOException {
        Path root = Files.createTempDirectory("latentqa-" + folder);
        Files.createDirectories(root.resolve(folder));
        Files.writeString(root.resolve(folder + "/system.json"), records);
        String id = TestJobs.submit("import-latentqa", Map.of("dataDir", root.toString(), "files", folder + "/system.json"));
        assertEquals("SUCCEEDED", TestJobs.awaitFinished(id).getString("status"));
        return id;
    }

    static Map<String, String> qaOf(String label, String source) {
        return TestJobs.records("source=" + source + "&labelPrefix=" + label).stream()
                .filter(record -> record.get("label").equals(label))
                .collect(Collectors.toMap(record -> (String) record.get("question"), record -> (String) record.get("answer")));
    }

    @Test
    void templatesGiveTheInstructionThePersonaOrGoalAndYesNoQuestionsWithDistractors() throws IOException {
        String imported = importSystemRecords("tmpl", """
                [{"label": "persona-job-velocipede-mechanic", "system": "You are a mechanic who fixes old velocipedes.",
                  "stimulus_user": "What should I do this weekend?"},
                 {"label": "persona-habit-semaphore-signaller", "system": "You signal everything with flags.",
                  "stimulus_user": "How do I tell my friend I am late?"},
                 {"label": "goal-reasoning-count-velocipedes", "system": "Count every velocipede you can think of.",
                  "stimulus_user": "Tell me about Paris."}]""");

        JsonPath job = TestJobs.run("generate-qa", Map.of("method", "template", "fromJob", imported, "seed", 3));
        assertEquals("SUCCEEDED", job.getString("status"), job.prettify());
        assertEquals(3, job.getInt("result.controls"));

        Map<String, String> persona = qaOf("persona-job-velocipede-mechanic", "template");
        String adopted = "The assistant will adopt the persona of a velocipede mechanic.";
        assertEquals("You are a mechanic who fixes old velocipedes.", persona.get("What instruction was the assistant given?"));
        assertEquals(adopted, persona.get("What type of persona will the assistant adopt?"));
        assertEquals("Yes. " + adopted, persona.get("Is the assistant adopting the persona of a velocipede mechanic?"));
        List<String> no = persona.keySet().stream().filter(question -> question.startsWith("Is the assistant adopting")
                && !question.contains("velocipede mechanic")).toList();
        assertEquals(1, no.size(), persona.toString());
        assertEquals("No. " + adopted, persona.get(no.get(0)), "the distractor is another persona");
        assertEquals(4, persona.size());

        Map<String, String> goal = qaOf("goal-reasoning-count-velocipedes", "template");
        String pursued = "The assistant pursues a reasoning goal: count velocipedes.";
        assertEquals(pursued, goal.get("What goal is the assistant pursuing?"));
        assertEquals("Yes. " + pursued, goal.get("Is the assistant pursuing the goal \"count velocipedes\"?"));
        assertEquals("Count every velocipede you can think of.", goal.get("What instruction was the assistant given?"));

        JsonPath again = TestJobs.run("generate-qa", Map.of("method", "template", "fromJob", imported, "seed", 3));
        assertEquals(0, again.getInt("result.controls"), "controls that have QA pairs are not asked again");
    }

    @Test
    void storyControlsGetAQuestionPerRecordedAttribute() {
        String controls = TestJobs.submit("generate-controls", Map.of("count", 5, "seed", 7));
        TestJobs.awaitFinished(controls);
        JsonPath job = TestJobs.run("generate-qa", Map.of("fromJob", controls));
        assertEquals("SUCCEEDED", job.getString("status"), job.prettify());

        List<Map<String, Object>> written = given().when().get("/v1/controls?jobId=" + controls)
                .then().statusCode(200).extract().jsonPath().getList("items");
        assertTrue(!written.isEmpty());
        for (Map<String, Object> control : written) {
            @SuppressWarnings("unchecked")
            Map<String, String> attributes = (Map<String, String>) control.get("attributes");
            Map<String, String> qa = qaOf((String) control.get("label"), "template");
            String character = attributes.get("character");
            String article = "aeiou".indexOf(character.charAt(0)) >= 0 ? "an " : "a ";
            if (attributes.containsKey("animal")) {
                assertEquals(article + character, qa.get("What animal is the story about?"), qa.toString());
            } else {
                assertTrue(!qa.containsKey("What animal is the story about?"));
            }
            assertEquals(attributes.get("name"), qa.get("What is the name of the main character?"));
            assertEquals(attributes.get("mood"), qa.get("How does the main character feel?"));
            assertEquals(attributes.get("color"), qa.get("What color is the thing the main character loves?"));
            assertEquals("a " + attributes.get("color") + " " + attributes.get("object"),
                    qa.get("What does the main character love?").replaceFirst("^an ", "a "));
            assertEquals("Yes, it is about " + article + character + ".", qa.get("Is the story about " + article + character + "?"));
            qa.forEach((question, answer) -> {
                if (answer.startsWith("No, it is about")) {
                    assertNotEquals("Is the story about " + article + character + "?", question);
                }
            });
        }
    }

    /** A stand-in for an OpenAI-compatible endpoint: the one stand-in the tests use, as no such LLM runs here. */
    static final class ChatCompletionsServer implements AutoCloseable {
        final HttpServer server;
        final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
        final ObjectMapper json = new ObjectMapper();

        ChatCompletionsServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/chat/completions", this::handle);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        }

        private void handle(HttpExchange exchange) throws IOException {
            JsonNode request = json.readTree(exchange.getRequestBody());
            requests.add(request);
            String prompt = request.path("messages").path(0).path("content").asText();
            if (!"Bearer test-key".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                respond(exchange, 401, "{\"error\": {\"message\": \"bad key\"}}");
            } else if (prompt.contains("FAIL-ME")) {
                respond(exchange, 500, "{\"error\": {\"message\": \"overloaded\"}}");
            } else {
                int n = requests.size();
                String content = "Here are the pairs.\n\n```json\n[{\"question\": \"What drives the assistant? (" + n
                        + ")\", \"answer\": \"Its hidden instruction.\"}, [\"How would it answer a question about"
                        + " bicycles? (" + n + ")\", \"With enthusiasm.\"]]\n```";
                ObjectNode reply = json.createObjectNode();
                reply.put("id", "chatcmpl-" + n).put("object", "chat.completion").put("model", request.path("model").asText());
                reply.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                        .putObject("message").put("role", "assistant").put("content", content);
                respond(exchange, 200, reply.toString());
            }
        }

        private static void respond(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void llmQaIsAskedWithTheReferencePromptsAndAFailingControlIsReportedByLabel() throws IOException {
        String imported = importSystemRecords("llm", """
                [{"label": "persona-job-velocipede-courier", "system": "You deliver letters by velocipede.",
                  "stimulus_user": "Any plans today?"},
                 {"label": "goal-style-semaphore-metaphors", "system": "Use semaphore metaphors in every reply.",
                  "stimulus_user": "How was your day?"},
                 {"label": "goal-emotion-semaphore-refusal", "system": "FAIL-ME: the endpoint refuses this one.",
                  "stimulus_user": "Hello?"}]""");
        try (ChatCompletionsServer llm = new ChatCompletionsServer()) {
            JsonPath job = TestJobs.run("generate-qa", Map.of("method", "llm", "fromJob", imported,
                    "baseUrl", llm.baseUrl(), "model", "judge-test", "pairsPerPrompt", 2));

            assertEquals("FAILED", job.getString("status"), job.prettify());
            assertEquals(3, job.getInt("progress.total"));
            assertEquals(3, job.getInt("progress.done"));
            assertEquals(1, job.getInt("result.failedControls"));
            assertEquals(8, job.getInt("result.qaPairs"), "2 controls x 2 prompts x 2 pairs");
            assertEquals("goal-emotion-semaphore-refusal", job.getString("errors[0].label"));
            assertTrue(job.getString("errors[0].message").contains("HTTP 500"), job.getString("errors[0].message"));
            assertTrue(job.getString("errors[0].message").contains("after 3 tries"), job.getString("errors[0].message"));

            // 2 prompts each for the persona and the good goal, 3 tries of the failing goal's first prompt
            assertEquals(7, llm.requests.size());
            for (JsonNode request : llm.requests) {
                assertEquals("judge-test", request.path("model").asText());
                assertEquals(1.0, request.path("temperature").asDouble());
                assertEquals(3000, request.path("max_tokens").asInt());
            }
            String personaPrompt = llm.requests.stream().map(r -> r.path("messages").path(0).path("content").asText())
                    .filter(prompt -> prompt.contains("You deliver letters by velocipede.")
                            && prompt.contains("Answer each of these questions"))
                    .findFirst().orElseThrow();
            for (String question : LlmPrompts.PERSONA_QUESTIONS) {
                assertTrue(personaPrompt.contains(question), "the persona prompt asks: " + question);
            }

            Map<String, String> persona = qaOf("persona-job-velocipede-courier", "llm");
            assertEquals(4, persona.size(), persona.toString());
            assertTrue(persona.values().contains("Its hidden instruction."));
            assertEquals(0, qaOf("goal-emotion-semaphore-refusal", "llm").size());
            List<Map<String, Object>> records = TestJobs.records("source=llm&labelPrefix=goal-style-semaphore-metaphors");
            assertEquals(4, records.size(), "one system dialog x 4 pairs");
            assertEquals("system", records.get(0).get("recordKind"));
        }
    }
}
