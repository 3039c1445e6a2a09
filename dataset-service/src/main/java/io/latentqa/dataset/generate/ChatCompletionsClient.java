package io.latentqa.dataset.generate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.dataset.DatasetConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A client of an OpenAI-compatible {@code POST <base>/chat/completions} endpoint: one user message in, the
 * QA pairs of the reply out. Retries HTTP 429 and 5xx, timeouts, connection errors and replies without QA
 * pairs, with a doubling back-off; other 4xx answers fail at once (a wrong model name or key does not get
 * better by asking again).
 */
@ApplicationScoped
public class ChatCompletionsClient {

    private static final Logger LOG = Logger.getLogger(ChatCompletionsClient.class);

    private final DatasetConfig.Llm config;
    private final ObjectMapper json;
    private final HttpClient http;

    ChatCompletionsClient(DatasetConfig config, ObjectMapper json) {
        this.config = config.llm();
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** A failure after all tries; the message says what the endpoint answered. */
    public static class LlmException extends Exception {
        public LlmException(String message) {
            super(message);
        }
    }

    /**
     * @param baseUrl the API base, up to and including {@code /v1}
     * @param model the model name
     * @param prompt the user message
     * @return the QA pairs of the reply
     * @throws LlmException when no try gave a reply with QA pairs
     * @throws InterruptedException when the job is stopped while waiting
     */
    public List<LlmReplyParser.Pair> ask(URI baseUrl, String model, String prompt) throws LlmException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("temperature", config.temperature());
        body.put("max_tokens", config.maxTokens());
        String base = baseUrl.toString().replaceAll("/+$", "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        config.apiKey().filter(key -> !key.isBlank()).ifPresent(key -> request.header("Authorization", "Bearer " + key));
        String lastError = null;
        long backoff = config.retryBackoff().toMillis();
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            if (attempt > 1) {
                Thread.sleep(backoff);
                backoff *= 2;
            }
            try {
                HttpResponse<String> response = http.send(request.build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status == 429 || status >= 500) {
                    lastError = "HTTP " + status + " from " + base + ": " + abbreviate(response.body());
                    continue;
                }
                if (status >= 400) {
                    throw new LlmException("HTTP " + status + " from " + base + "/chat/completions (check the base URL,"
                            + " model '" + model + "' and latentqa.dataset.llm.api-key): " + abbreviate(response.body()));
                }
                String content = content(response.body());
                return LlmReplyParser.parse(content, json);
            } catch (HttpTimeoutException e) {
                lastError = "no answer from " + base + " within " + config.timeout();
            } catch (IOException e) {
                lastError = "cannot reach " + base + ": " + e.getMessage();
            } catch (IllegalArgumentException e) {
                lastError = "unusable reply: " + e.getMessage();
            }
            LOG.debugf("LLM try %d of %d failed: %s", attempt, config.maxAttempts(), lastError);
        }
        throw new LlmException(lastError + " (after " + config.maxAttempts() + " tries)");
    }

    private String content(String body) {
        JsonNode reply;
        try {
            reply = json.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the response is not JSON: " + abbreviate(body));
        }
        JsonNode content = reply.path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) {
            throw new IllegalArgumentException("the response has no choices[0].message.content: " + abbreviate(body));
        }
        return content.asText();
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 300 ? text : text.substring(0, 297) + "...";
    }
}
