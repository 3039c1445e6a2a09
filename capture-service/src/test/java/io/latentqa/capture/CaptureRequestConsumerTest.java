package io.latentqa.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.capture.runtime.ModelHolder;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.Topics;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Dataset jobs: latentqa.capture-requests in; event (source=dataset) and reply on latentqa.capture-results out. */
@QuarkusTest
@WithTestResource(RestartableKafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class CaptureRequestConsumerTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ModelHolder holder;

    ConsumerRecord<String, byte[]> reply(String jobId) {
        return TestKafka.find(KafkaBrokerProcess.bootstrap(), Topics.CAPTURE_RESULTS, jobId, Duration.ofSeconds(180))
                .orElseThrow(() -> new AssertionError("no reply for job " + jobId + " on latentqa.capture-results"));
    }

    @Test
    void captureRequestIsAnsweredCapturedAndReplied() throws Exception {
        String jobId = "job-" + UUID.randomUUID();
        String requestId = "cap-" + UUID.randomUUID();
        TestKafka.send(KafkaBrokerProcess.bootstrap(), "latentqa.capture-requests", jobId, "{\"requestId\": \""
                + requestId + "\", \"jobId\": \"" + jobId + "\", \"messages\": [{\"role\": \"user\", \"content\":"
                + " \"What do you like to eat?\"}], \"control\": \"Talk like a pirate.\", \"settings\": {\"maxTokens\": 8,"
                + " \"temperature\": 0.7, \"topP\": 0.9, \"seed\": 42}, \"layers\": [7, 15],"
                + " \"replyTopic\": \"latentqa.capture-results\"}");

        JsonNode reply = JSON.readTree(reply(jobId).value());
        assertEquals(requestId, reply.path("requestId").asText());
        assertEquals(jobId, reply.path("jobId").asText());
        assertFalse(reply.path("completion").asText().isBlank(), reply.toString());
        assertEquals(holder.modelId(), reply.path("modelId").asText());
        assertEquals(holder.digest(), reply.path("modelDigest").asText());
        assertEquals(42, reply.at("/settings/seed").asLong());
        assertEquals(8, reply.at("/settings/maxTokens").asInt());
        assertEquals(requestId, reply.path("activationEventId").asText());
        assertTrue(reply.path("error").isNull(), reply.toString());

        ActivationEvent event = CaptureTests.event(requestId);
        assertEquals(ActivationEvent.Source.DATASET, event.source());
        assertEquals(requestId, event.requestId());
        assertArrayEquals(new int[] {7, 15}, event.layers());
        JsonNode dialog = JSON.readTree(event.dialog());
        assertEquals("system", dialog.get(0).path("role").asText(), "the control is the dialog's system prompt");
        assertEquals("Talk like a pirate.", dialog.get(0).path("content").asText());
        assertEquals("assistant", dialog.get(dialog.size() - 1).path("role").asText());
        assertEquals(reply.path("completion").asText(), dialog.get(dialog.size() - 1).path("content").asText());
    }

    @Test
    void unreadableCaptureRequestGoesToTheDeadLetterTopicWithTheReason() {
        String jobId = "job-bad-" + UUID.randomUUID();
        TestKafka.send(KafkaBrokerProcess.bootstrap(), "latentqa.capture-requests", jobId, "{\"requestId\": ");
        ConsumerRecord<String, byte[]> dead = TestKafka.find(KafkaBrokerProcess.bootstrap(),
                "latentqa.capture-requests.dlq", jobId, Duration.ofSeconds(120))
                .orElseThrow(() -> new AssertionError("not dead-lettered"));
        String reason = TestKafka.header(dead, "dead-letter-reason");
        assertTrue(reason != null && reason.contains("is not valid JSON"), "reason: " + reason);

        String noMessages = "job-nomsg-" + UUID.randomUUID();
        TestKafka.send(KafkaBrokerProcess.bootstrap(), "latentqa.capture-requests", noMessages, "{\"requestId\": \"r1\","
                + " \"jobId\": \"" + noMessages + "\"}");
        ConsumerRecord<String, byte[]> dead2 = TestKafka.find(KafkaBrokerProcess.bootstrap(),
                "latentqa.capture-requests.dlq", noMessages, Duration.ofSeconds(120))
                .orElseThrow(() -> new AssertionError("not dead-lettered"));
        String reason2 = TestKafka.header(dead2, "dead-letter-reason");
        assertTrue(reason2 != null && reason2.contains("messages is missing"), "reason: " + reason2);
    }

    @Test
    void jobTooLongForTheContextGetsAReplyWithTheError() throws Exception {
        String jobId = "job-long-" + UUID.randomUUID();
        TestKafka.send(KafkaBrokerProcess.bootstrap(), "latentqa.capture-requests", jobId, "{\"requestId\": \"long-"
                + jobId + "\", \"jobId\": \"" + jobId + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
                + "hello ".repeat(9000) + "\"}]}");
        JsonNode reply = JSON.readTree(reply(jobId).value());
        assertTrue(reply.path("error").asText().contains("context"), reply.path("error").asText());
        assertTrue(reply.path("activationEventId").isNull());
    }
}
