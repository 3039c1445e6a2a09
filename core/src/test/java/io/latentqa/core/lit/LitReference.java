package io.latentqa.core.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.tokenizer.ChatMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The {@code lit} cases of SmolLM2's reference.json (made by make_reference.py, method doc §12). */
final class LitReference {

    private static JsonNode cases;

    private LitReference() {
    }

    static synchronized JsonNode cases() {
        if (cases == null) {
            try {
                cases = new ObjectMapper().readTree(SharedFiles.smollm2Dir().resolve("reference/reference.json").toFile())
                        .get("lit").get("cases");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cases;
    }

    /** The case of one kind: {@code system}, {@code stimulus} or {@code control}. */
    static JsonNode referenceCase(String kind) {
        for (JsonNode c : cases()) {
            if (c.get("kind").asText().equals(kind)) {
                return c;
            }
        }
        throw new IllegalStateException("reference.json has no lit case " + kind);
    }

    /** The read messages of a case. */
    static List<ChatMessage> messages(JsonNode c) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : c.get("messages")) {
            out.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        return out;
    }
}
