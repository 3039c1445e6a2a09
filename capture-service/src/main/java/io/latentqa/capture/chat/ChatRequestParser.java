package io.latentqa.capture.chat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.capture.rest.ProblemException;
import io.latentqa.core.tokenizer.ChatMessage;

/**
 * Reads and checks a chat completion request body. Every refusal is a 400 problem that names the field
 * and says what is expected.
 */
public final class ChatRequestParser {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    private static final Set<String> LATENTQA_FIELDS = Set.of("capture", "steering", "redact");
    private static final int MAX_STOPS = 4;

    private final ObjectMapper json;

    public ChatRequestParser(ObjectMapper json) {
        this.json = json;
    }

    public ChatRequest parse(byte[] body) {
        JsonNode root = readObject(body);
        List<ChatMessage> messages = messages(root.get("messages"));
        String model = optionalText(root, "model");
        Integer maxTokens = positiveInt(root, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = positiveInt(root, "max_tokens");
        }
        float temperature = number(root, "temperature", 1f, 0f, 2f);
        float topP = number(root, "top_p", 1f, 0f, 1f);
        if (topP == 0f) {
            throw invalid("top_p must be in (0, 1], got 0");
        }
        Long seed = null;
        JsonNode seedNode = root.get("seed");
        if (seedNode != null && !seedNode.isNull()) {
            if (!seedNode.canConvertToLong() || !seedNode.isIntegralNumber()) {
                throw invalid("seed must be an integer, got " + seedNode);
            }
            seed = seedNode.asLong();
        }
        List<String> stop = stops(root.get("stop"));
        boolean stream = bool(root, "stream");
        JsonNode options = root.get("stream_options");
        boolean includeUsage = options != null && options.isObject() && options.path("include_usage").asBoolean(false);
        JsonNode n = root.get("n");
        if (n != null && !n.isNull() && n.asInt(-1) != 1) {
            throw invalid("n must be 1 (one choice per request), got " + n);
        }
        if (bool(root, "logprobs")) {
            throw invalid("logprobs are not supported by this service; leave logprobs out or false");
        }
        JsonNode tools = root.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            throw invalid("tools are not supported by this service; send plain messages");
        }
        JsonNode latentqa = root.get("latentqa");
        String steering = null;
        if (latentqa != null && !latentqa.isNull()) {
            if (!latentqa.isObject()) {
                throw invalid("latentqa must be an object {\"capture\": {...}, \"steering\": \"adapter-id\","
                        + " \"redact\": false}");
            }
            for (Iterator<String> it = latentqa.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!LATENTQA_FIELDS.contains(field)) {
                    throw invalid("latentqa has an unknown field '" + field + "'; known: " + LATENTQA_FIELDS);
                }
            }
            JsonNode steeringNode = latentqa.get("steering");
            if (steeringNode != null && !steeringNode.isNull()) {
                if (!steeringNode.isTextual() || steeringNode.asText().isBlank()) {
                    throw invalid("latentqa.steering must be a steering adapter id (a string), got " + steeringNode);
                }
                steering = steeringNode.asText();
            }
            JsonNode redact = latentqa.get("redact");
            if (redact != null && !redact.isNull() && !redact.isBoolean()) {
                throw invalid("latentqa.redact must be true or false, got " + redact);
            }
        } else {
            latentqa = null;
        }
        return new ChatRequest(model, messages, maxTokens, temperature, topP, seed, stop, stream, includeUsage,
                latentqa, steering);
    }

    private JsonNode readObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ProblemException("invalid-json", "Request body is not valid JSON", 400,
                    "the request body is empty; send a JSON object such as {\"messages\": [{\"role\": \"user\","
                            + " \"content\": \"Hello\"}]}");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ProblemException("invalid-json", "Request body is not valid JSON", 400,
                    "the request body is not valid JSON (" + e.getOriginalMessage() + " at line "
                            + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                            + "); send a JSON object with a \"messages\" array");
        } catch (IOException e) {
            throw new ProblemException("invalid-json", "Request body is not valid JSON", 400,
                    "the request body could not be read as JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ProblemException("invalid-json", "Request body is not valid JSON", 400,
                    "the request body must be a JSON object with a \"messages\" array, got "
                            + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        return root;
    }

    /** Reads an OpenAI message list; a 400 problem names the first message that is wrong. */
    public static List<ChatMessage> messages(JsonNode node) {
        if (node == null || node.isNull()) {
            throw badMessages("messages is missing; send a non-empty array such as"
                    + " [{\"role\": \"user\", \"content\": \"Hello\"}]");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw badMessages("messages must be a non-empty array of {\"role\", \"content\"} objects, got "
                    + (node.isArray() ? "an empty array" : node.getNodeType().toString().toLowerCase()));
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode message = node.get(i);
            if (!message.isObject()) {
                throw badMessages("messages[" + i + "] must be an object {\"role\", \"content\"}, got " + message);
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw badMessages("messages[" + i + "].role must be one of " + ROLES + ", got "
                        + (role == null ? "nothing" : role));
            }
            String content = content(message.get("content"), i);
            // OpenAI's developer role is the system prompt of newer models
            String name = role.asText().equals("developer") ? "system" : role.asText();
            messages.add(new ChatMessage(name, content));
        }
        return messages;
    }

    private static String content(JsonNode content, int i) {
        if (content == null || content.isNull()) {
            throw badMessages("messages[" + i + "].content is missing; give the message text as a string");
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int p = 0; p < content.size(); p++) {
                JsonNode part = content.get(p);
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw badMessages("messages[" + i + "].content[" + p + "] must be {\"type\": \"text\", \"text\":"
                            + " \"...\"}; only text parts are supported");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw badMessages("messages[" + i + "].content must be a string or an array of text parts, got "
                + content.getNodeType().toString().toLowerCase());
    }

    private static List<String> stops(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (node.isArray() && node.size() <= MAX_STOPS) {
            List<String> stops = new ArrayList<>();
            for (JsonNode stop : node) {
                if (!stop.isTextual()) {
                    throw invalid("stop must hold strings, got " + stop);
                }
                stops.add(stop.asText());
            }
            return stops;
        }
        throw invalid("stop must be a string or an array of up to " + MAX_STOPS + " strings, got " + node);
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid(field + " must be a string, got " + node);
        }
        return node.asText();
    }

    private static Integer positiveInt(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() <= 0) {
            throw invalid(field + " must be a positive integer, got " + node);
        }
        return node.asInt();
    }

    private static float number(JsonNode root, String field, float fallback, float min, float max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber() || node.asDouble() < min || node.asDouble() > max) {
            throw invalid(field + " must be a number in [" + min + ", " + max + "], got " + node);
        }
        return (float) node.asDouble();
    }

    private static boolean bool(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw invalid(field + " must be true or false, got " + node);
        }
        return node.asBoolean();
    }

    private static ProblemException invalid(String detail) {
        return ProblemException.badRequest(detail);
    }

    private static ProblemException badMessages(String detail) {
        return new ProblemException("invalid-messages", "Invalid message list", 400, detail);
    }
}
