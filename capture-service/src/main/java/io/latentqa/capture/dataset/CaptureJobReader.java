package io.latentqa.capture.dataset;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.capture.CaptureConfig;
import io.latentqa.capture.chat.ChatRequestParser;
import io.latentqa.capture.rest.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads and checks a latentqa.capture-requests record (key: job id; value: JSON). */
@ApplicationScoped
public class CaptureJobReader {

    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    static final Pattern TOPIC = Pattern.compile("latentqa\\.[A-Za-z0-9._-]+");

    private final ObjectMapper json;
    private final String defaultReplyTopic;

    CaptureJobReader(ObjectMapper json, CaptureConfig config) {
        this.json = json;
        this.defaultReplyTopic = config.jobs().replyTopic();
    }

    /**
     * @throws InvalidCaptureJobException naming the field that is wrong and what it should be
     */
    public CaptureJob read(String key, byte[] value) {
        if (value == null || value.length == 0) {
            throw new InvalidCaptureJobException("capture request " + key + " has no value; expected a JSON object"
                    + " {\"requestId\", \"jobId\", \"messages\", \"control\", \"settings\", \"layers\", \"replyTopic\"}");
        }
        JsonNode node;
        try {
            node = json.readTree(value);
        } catch (IOException e) {
            throw new InvalidCaptureJobException("capture request " + key + " is not valid JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidCaptureJobException("capture request " + key + " must be a JSON object");
        }
        String requestId = id(node, "requestId", key);
        String jobId = id(node, "jobId", key);
        if (key != null && !key.equals(jobId)) {
            throw new InvalidCaptureJobException("capture request key '" + key + "' differs from its jobId '" + jobId
                    + "'; the key must be the job id");
        }
        List<io.latentqa.core.tokenizer.ChatMessage> messages;
        try {
            messages = ChatRequestParser.messages(node.get("messages"));
        } catch (ProblemException e) {
            throw new InvalidCaptureJobException("capture request " + requestId + ": " + e.getMessage());
        }
        JsonNode control = node.get("control");
        if (control != null && !control.isNull() && !control.isTextual()) {
            throw new InvalidCaptureJobException("capture request " + requestId
                    + ": control must be a system prompt (a string) or null, got " + control);
        }
        CaptureJob.Settings settings = settings(node.get("settings"), requestId);
        List<Integer> layers = null;
        JsonNode layersNode = node.get("layers");
        if (layersNode != null && !layersNode.isNull()) {
            if (!layersNode.isArray()) {
                throw new InvalidCaptureJobException("capture request " + requestId
                        + ": layers must be an array of block indices, got " + layersNode);
            }
            layers = new ArrayList<>();
            for (JsonNode layer : layersNode) {
                if (!layer.canConvertToInt() || !layer.isIntegralNumber()) {
                    throw new InvalidCaptureJobException("capture request " + requestId
                            + ": layers must hold integers, got " + layer);
                }
                layers.add(layer.asInt());
            }
        }
        String replyTopic = defaultReplyTopic;
        JsonNode replyNode = node.get("replyTopic");
        if (replyNode != null && !replyNode.isNull()) {
            if (!replyNode.isTextual() || !TOPIC.matcher(replyNode.asText()).matches()) {
                throw new InvalidCaptureJobException("capture request " + requestId
                        + ": replyTopic must be a latentqa.* topic name, got " + replyNode);
            }
            replyTopic = replyNode.asText();
        }
        return new CaptureJob(requestId, jobId, messages,
                control == null || control.isNull() ? null : control.asText(), settings, layers, replyTopic);
    }

    private static CaptureJob.Settings settings(JsonNode node, String requestId) {
        if (node == null || node.isNull()) {
            return new CaptureJob.Settings(null, null, null, null);
        }
        if (!node.isObject()) {
            throw new InvalidCaptureJobException("capture request " + requestId
                    + ": settings must be an object {maxTokens, temperature, topP, seed}");
        }
        Integer maxTokens = null;
        if (present(node, "maxTokens")) {
            if (!node.get("maxTokens").isIntegralNumber() || node.get("maxTokens").asInt() <= 0) {
                throw new InvalidCaptureJobException("capture request " + requestId
                        + ": settings.maxTokens must be a positive integer, got " + node.get("maxTokens"));
            }
            maxTokens = node.get("maxTokens").asInt();
        }
        Float temperature = number(node, "temperature", requestId, 0, 2);
        Float topP = number(node, "topP", requestId, Float.MIN_VALUE, 1);
        Long seed = null;
        if (present(node, "seed")) {
            if (!node.get("seed").isIntegralNumber()) {
                throw new InvalidCaptureJobException("capture request " + requestId
                        + ": settings.seed must be an integer, got " + node.get("seed"));
            }
            seed = node.get("seed").asLong();
        }
        return new CaptureJob.Settings(maxTokens, temperature, topP, seed);
    }

    private static Float number(JsonNode node, String field, String requestId, float min, float max) {
        if (!present(node, field)) {
            return null;
        }
        JsonNode value = node.get(field);
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw new InvalidCaptureJobException("capture request " + requestId + ": settings." + field
                    + " must be a number in [" + min + ", " + max + "], got " + value);
        }
        return (float) value.asDouble();
    }

    private static boolean present(JsonNode node, String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    private static String id(JsonNode node, String field, String key) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || !ID.matcher(value.asText()).matches()) {
            throw new InvalidCaptureJobException("capture request " + key + ": " + field + " must be 1-128 letters,"
                    + " digits, '.', '_', ':' or '-', got " + (value == null ? "nothing" : value));
        }
        return value.asText();
    }
}
