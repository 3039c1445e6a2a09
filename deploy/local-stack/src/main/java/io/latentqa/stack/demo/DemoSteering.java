package io.latentqa.stack.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The steering half of the demo: a small control job on steering-service (a goal in words, trained through the
 * shipped decoder), followed to its end; then one chat through capture-service with the steering adapter it
 * published ({@code latentqa.steering}) next to the same chat without it. The job is small so the demo stays short:
 * its before/after numbers show the path works end to end, not the method's full effect (docs/steering.md has that).
 */
public final class DemoSteering {

    static final String GOAL = "The assistant is always cheerful and positive.";
    static final String PROMPT = "How should I spend my ten dollars?";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private DemoSteering() {
    }

    /**
     * @param steering e.g. {@code http://127.0.0.1:8083}
     * @param capture  e.g. {@code http://127.0.0.1:8081}
     */
    public static void run(String steering, String capture, PrintStream out) throws InterruptedException {
        String id = "demo-cheerful-" + Long.toString(System.currentTimeMillis(), 36);
        JsonNode job = send(steering + "/v1/controls", Map.of("id", id, "goal", GOAL, "samples", 12, "learningRate", 1e-3,
                "heldOut", 2, "maxNewTokens", 32), 202);
        out.printf("control job %s: \"%s\", %d steps through decoder %s%n", id, GOAL, job.path("totalSteps").asInt(),
                job.at("/spec/decoder").asText());
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        String status = job.path("status").asText();
        while ((status.equals("QUEUED") || status.equals("RUNNING")) && System.nanoTime() < deadline) {
            Thread.sleep(2000);
            job = get(steering + "/v1/controls/" + id);
            status = job.path("status").asText();
            String message = job.path("message").asText();
            // padded to one width: the line is redrawn in place
            out.printf("\r  %-9s step %2d/%d  %-72.72s", status, job.path("step").asInt(), job.path("totalSteps").asInt(), message);
        }
        out.println();
        if (!status.equals("SUCCEEDED")) {
            throw new IllegalStateException("control job " + id + " ended " + status + ": " + job.path("message").asText());
        }
        JsonNode loss = job.at("/result/controlLoss");
        String adapter = job.path("adapterId").asText();
        out.printf("held-out control loss (the decoder's NLL of the goal, reading the target): %.3f -> %.3f%n",
                loss.path("before").asDouble(), loss.path("after").asDouble());
        out.printf("steering adapter %s published on latentqa.model-events; capture-service serves it:%n", adapter);
        String plain = chat(capture, null);
        String steered = chat(capture, adapter);
        out.printf("  user: %s%n  target:  %s%n  steered: %s%n", PROMPT, plain.replace('\n', ' '), steered.replace('\n', ' '));
    }

    /** One greedy chat through capture-service, with the steering adapter or none; waits for the adapter to load. */
    private static String chat(String capture, String adapter) throws InterruptedException {
        Map<String, Object> body = adapter == null
                ? Map.of("messages", List.of(Map.of("role", "user", "content", PROMPT)), "max_tokens", 40, "temperature", 0)
                : Map.of("messages", List.of(Map.of("role", "user", "content", PROMPT)), "max_tokens", 40, "temperature", 0,
                        "latentqa", Map.of("steering", adapter));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            HttpResponse<String> response = post(capture + "/v1/chat/completions", body);
            if (response.statusCode() == 200) {
                return read(response.body()).at("/choices/0/message/content").asText();
            }
            // the adapter is loaded when capture-service has read the model event: a 400 names it until then
            if (response.statusCode() != 400 || System.nanoTime() > deadline) {
                throw new IllegalStateException("capture-service answered HTTP " + response.statusCode() + ": " + response.body());
            }
            Thread.sleep(1000);
        }
    }

    private static JsonNode send(String url, Map<String, Object> body, int expected) {
        HttpResponse<String> response = post(url, body);
        if (response.statusCode() != expected) {
            throw new IllegalStateException(url + " answered HTTP " + response.statusCode() + ": " + response.body());
        }
        return read(response.body());
    }

    private static HttpResponse<String> post(String url, Map<String, Object> body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode get(String url) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(url + " answered HTTP " + response.statusCode() + ": " + response.body());
            }
            return read(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }
}
