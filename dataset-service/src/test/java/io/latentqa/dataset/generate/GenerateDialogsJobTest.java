package io.latentqa.dataset.generate;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.latentqa.dataset.TestJobs;
import io.latentqa.dataset.job.JobRunner;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class GenerateDialogsJobTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    JobRunner runner;

    static String storyControls(int count, long seed) {
        String id = TestJobs.submit("generate-controls", Map.of("count", count, "seed", seed));
        assertEquals("SUCCEEDED", TestJobs.awaitFinished(id).getString("status"));
        return id;
    }

    static List<Map<String, Object>> controlsOf(String job) {
        return given().when().get("/v1/controls?jobId=" + job).then().statusCode(200).extract().jsonPath().getList("items");
    }

    static List<Map<String, Object>> dialogsOf(String job) {
        return given().when().get("/v1/dialogs?jobId=" + job + "&size=1000").then().statusCode(200).extract()
                .jsonPath().getList("");
    }

    static int item(JsonNode request) {
        String id = request.path("requestId").asText();
        return Integer.parseInt(id.substring(id.lastIndexOf(':') + 1));
    }

    @Test
    void dialogsRoundTripThroughTheBrokerAndAnErrorAnswerIsRetried() throws Exception {
        String controlsJob = storyControls(3, 2024);
        List<Map<String, Object>> controls = controlsOf(controlsJob);
        try (FakeCaptureService capture = new FakeCaptureService(bootstrap,
                (request, times) -> item(request) == 0 && times == 1 ? FakeCaptureService.Action.ERROR
                        : FakeCaptureService.Action.ANSWER)) {
            JsonPath job = TestJobs.run("generate-dialogs", Map.of("fromJob", controlsJob,
                    "settings", Map.of("maxTokens", 32, "temperature", 0.0, "topP", 1.0, "seed", 5),
                    "layers", List.of(3), "replyTimeoutSeconds", 60, "maxAttempts", 3));
            String jobId = job.getString("id");
            assertEquals("SUCCEEDED", job.getString("status"), job.prettify());
            assertEquals(controls.size(), job.getInt("result.dialogs"));
            assertEquals(controls.size(), job.getInt("progress.done"));

            // the requests, as capture-service sees them
            List<FakeCaptureService.Seen> requests = capture.requestsOf(jobId);
            assertEquals(controls.size() + 1, requests.size(), "one retry of the request that got an error");
            Set<String> openings = controls.stream().map(control -> (String) control.get("text")).collect(Collectors.toSet());
            for (FakeCaptureService.Seen seen : requests) {
                JsonNode request = seen.value();
                assertEquals(jobId, seen.key(), "key: job id");
                assertEquals(jobId, request.path("jobId").asText());
                assertTrue(request.path("requestId").asText().startsWith(jobId + ":"));
                assertTrue(request.has("control") && request.get("control").isNull(), "a text model gets no system prompt");
                assertEquals(1, request.path("messages").size());
                assertEquals("user", request.path("messages").path(0).path("role").asText());
                assertTrue(openings.contains(request.path("messages").path(0).path("content").asText()));
                assertEquals(32, request.path("settings").path("maxTokens").asInt());
                assertEquals(0.0, request.path("settings").path("temperature").asDouble());
                assertEquals(1.0, request.path("settings").path("topP").asDouble());
                assertEquals(5, request.path("settings").path("seed").asLong());
                assertEquals("[3]", request.path("layers").toString());
                assertEquals("latentqa.capture-results", request.path("replyTopic").asText());
            }

            List<Map<String, Object>> dialogs = dialogsOf(jobId);
            assertEquals(controls.size(), dialogs.size());
            for (Map<String, Object> dialog : dialogs) {
                assertEquals("text_completion", dialog.get("recordKind"));
                assertEquals("capture", dialog.get("source"));
                assertEquals("stories260K", dialog.get("modelId"));
                assertEquals(FakeCaptureService.DIGEST, dialog.get("modelDigest"));
                assertEquals(Map.of("maxTokens", 32, "temperature", 0.0f, "topP", 1.0f, "seed", 5), dialog.get("settings"));
                String requestId = jobId + ":" + dialog.get("naturalKey").toString().substring(("capture:" + jobId + ":").length());
                assertEquals(requestId, dialog.get("activationEventId"));
                assertEquals(List.of(Map.of("role", "user", "content", dialog.get("control")),
                        Map.of("role", "assistant", "content", "They played together all day. [" + requestId + "]")),
                        dialog.get("messages"));
            }
        }
    }

    @Test
    void aJobInterruptedByARestartResumesWithoutDuplicatingWork() throws Exception {
        String controlsJob = storyControls(6, 77);
        int n = controlsOf(controlsJob).size();
        assertTrue(n >= 4, "enough controls for the test: " + n);
        // before the restart capture-service answers the first three requests (the first one twice) and no others
        try (FakeCaptureService capture = new FakeCaptureService(bootstrap, (request, times) -> item(request) == 0
                ? FakeCaptureService.Action.ANSWER_TWICE
                : item(request) < 3 ? FakeCaptureService.Action.ANSWER : FakeCaptureService.Action.IGNORE)) {
            String jobId = TestJobs.submit("generate-dialogs", Map.of("fromJob", controlsJob,
                    "replyTimeoutSeconds", 5, "maxAttempts", 50));
            await().atMost(Duration.ofSeconds(120)).until(() -> TestJobs.get(jobId).getInt("progress.done") == 3);

            runner.stop();
            JsonPath stopped = TestJobs.get(jobId);
            assertEquals("RUNNING", stopped.getString("status"), "a job stopped by shutdown stays RUNNING");
            assertEquals(1, stopped.getInt("runs"));
            assertEquals(3, dialogsOf(jobId).size());

            capture.policy((request, times) -> FakeCaptureService.Action.ANSWER);
            int requestsBeforeRestart = capture.requestsOf(jobId).size();
            runner.start();
            JsonPath resumed = TestJobs.awaitFinished(jobId);

            assertEquals("SUCCEEDED", resumed.getString("status"), resumed.prettify());
            assertEquals(2, resumed.getInt("runs"), "resumed once");
            assertEquals(n, resumed.getInt("progress.done"));
            List<Map<String, Object>> dialogs = dialogsOf(jobId);
            assertEquals(n, dialogs.size(), "one dialog per item, none twice");
            assertEquals(n, dialogs.stream().map(dialog -> dialog.get("naturalKey")).collect(Collectors.toSet()).size());
            // the items answered before the restart were not asked again after it
            Set<Integer> askedAfter = new HashSet<>();
            List<FakeCaptureService.Seen> all = capture.requestsOf(jobId);
            for (FakeCaptureService.Seen seen : all.subList(requestsBeforeRestart, all.size())) {
                askedAfter.add(item(seen.value()));
            }
            assertTrue(askedAfter.stream().allMatch(item -> item >= 3), "asked again after the restart: " + askedAfter);
            for (int i = 0; i < 3; i++) {
                assertEquals(1, capture.timesSeen.get(jobId + ":" + i), "item " + i + " was sent once");
            }
        }
    }

    @Test
    void cancelStopsAWaitingJobAndLateAnswersAreNotStored() throws Exception {
        String controlsJob = storyControls(2, 31337);
        try (FakeCaptureService capture = new FakeCaptureService(bootstrap,
                (request, times) -> FakeCaptureService.Action.IGNORE)) {
            String jobId = TestJobs.submit("generate-dialogs", Map.of("fromJob", controlsJob));
            await().atMost(Duration.ofSeconds(60)).until(() -> !capture.requestsOf(jobId).isEmpty());
            given().when().post("/v1/jobs/" + jobId + "/cancel").then().statusCode(202);
            JsonPath cancelled = TestJobs.awaitFinished(jobId);
            assertEquals("CANCELLED", cancelled.getString("status"));

            for (FakeCaptureService.Seen seen : capture.requestsOf(jobId)) {
                capture.answer(seen.key(), seen.value(), null);
            }
            // give the consumer time to read the late answers: they are skipped, not stored
            Thread.sleep(3000);
            assertEquals(0, dialogsOf(jobId).size());
        }
    }

    @Test
    void anUnreadableAnswerGoesToTheDeadLetterTopicWithTheReason() {
        TestKafka.send(bootstrap, "latentqa.capture-results", "job-x", "{not json");
        TestKafka.send(bootstrap, "latentqa.capture-results", "job-y", "{\"completion\": \"no request id\"}");
        ConsumerRecord<String, byte[]> dead = TestKafka.find(bootstrap, "latentqa.capture-results.dlq", "job-x",
                Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("job-x was not dead-lettered"));
        assertTrue(TestKafka.header(dead, "dead-letter-reason").contains("not valid JSON"),
                TestKafka.header(dead, "dead-letter-reason"));
        ConsumerRecord<String, byte[]> noId = TestKafka.find(bootstrap, "latentqa.capture-results.dlq", "job-y",
                Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("job-y was not dead-lettered"));
        assertTrue(TestKafka.header(noId, "dead-letter-reason").contains("has no requestId"),
                TestKafka.header(noId, "dead-letter-reason"));
    }
}
