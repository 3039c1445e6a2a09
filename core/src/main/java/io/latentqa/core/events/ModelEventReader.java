package io.latentqa.core.events;

import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads and checks a latentqa.model-events record (key: adapter id; value: JSON). */
public final class ModelEventReader {

    static final Pattern ADAPTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Set<String> EVENTS = Set.of(ModelEvent.PUBLISHED, ModelEvent.RETIRED);
    private static final Set<String> KINDS = Set.of(ModelEvent.DECODER, ModelEvent.STEERING);

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelEventReader() {
    }

    /**
     * @param key the record key, the adapter id (may be null: the value's adapterId is used)
     * @param value the record value
     * @return the event
     * @throws InvalidModelEventException naming the field that is wrong and what it should be
     */
    public static ModelEvent read(String key, byte[] value) {
        if (value == null || value.length == 0) {
            throw new InvalidModelEventException("model event " + key + " has no value; expected a JSON object"
                    + " {\"event\", \"adapterId\", \"kind\", \"digest\", ...}");
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (IOException e) {
            throw new InvalidModelEventException("model event " + key + " is not valid JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidModelEventException("model event " + key + " must be a JSON object");
        }
        String adapterId = text(node, "adapterId");
        if (adapterId == null || !ADAPTER_ID.matcher(adapterId).matches()) {
            throw new InvalidModelEventException("model event " + key + ": adapterId must be 1-128 letters, digits,"
                    + " '.', '_' or '-', got " + quote(adapterId));
        }
        if (key != null && !key.equals(adapterId)) {
            throw new InvalidModelEventException("model event key '" + key + "' differs from its adapterId '"
                    + adapterId + "'; the key must be the adapter id");
        }
        String event = text(node, "event");
        if (!EVENTS.contains(event)) {
            throw new InvalidModelEventException("model event " + adapterId + ": event must be 'published' or"
                    + " 'retired', got " + quote(event));
        }
        String kind = text(node, "kind");
        if (!KINDS.contains(kind)) {
            throw new InvalidModelEventException("model event " + adapterId + ": kind must be 'decoder' or"
                    + " 'steering', got " + quote(kind));
        }
        String digest = text(node, "digest");
        if (ModelEvent.PUBLISHED.equals(event) && (digest == null || !DIGEST.matcher(digest).matches())) {
            throw new InvalidModelEventException("model event " + adapterId + ": a published adapter needs digest"
                    + " 'sha256:' + 64 lower-case hex digits, got " + quote(digest));
        }
        // the uri is checked by whoever loads the adapter (decoder-service); a registry only records it
        return new ModelEvent(event, adapterId, kind, digest, text(node, "baseModelId"), text(node, "baseModelDigest"),
                text(node, "runId"), text(node, "uri"), integer(node, "readLayer"), integer(node, "writeLayer"),
                node.toString());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.canConvertToInt() ? null : value.asInt();
    }

    private static String quote(String value) {
        return value == null ? "nothing" : "'" + value + "'";
    }
}
