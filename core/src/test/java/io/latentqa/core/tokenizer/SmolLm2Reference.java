package io.latentqa.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.io.SafetensorsFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The tokenizer cases and chat prompts of SmolLM2's reference.json / reference.safetensors. */
public final class SmolLm2Reference {

    /** One reference string with the ids transformers gave it. */
    public record TokenizerCase(String text, int[] ids) {
    }

    /** One reference chat: messages, text rendered with the generation prompt, token ids. */
    public record Chat(String name, List<ChatMessage> messages, String rendered, int[] ids) {
    }

    private SmolLm2Reference() {
    }

    public static JsonNode json() {
        try {
            return new ObjectMapper().readTree(SharedFiles.smollm2Dir().resolve("reference/reference.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<TokenizerCase> tokenizerCases() {
        List<TokenizerCase> cases = new ArrayList<>();
        for (JsonNode c : json().get("tokenizer_cases")) {
            int[] ids = new int[c.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get("ids").get(i).asInt();
            }
            cases.add(new TokenizerCase(c.get("text").asText(), ids));
        }
        return cases;
    }

    /** One LatentQA example: the kind, the read and write texts with their token ids. */
    public record LitCase(String kind, String readText, int[] readIds, String writeText, int[] writeIds, JsonNode json) {
    }

    public static List<LitCase> litCases() {
        List<LitCase> cases = new ArrayList<>();
        try (SafetensorsFile tensors = SafetensorsFile.open(SharedFiles.smollm2Dir().resolve("reference/reference.safetensors"))) {
            for (JsonNode c : json().get("lit").get("cases")) {
                String kind = c.get("kind").asText();
                cases.add(new LitCase(kind, c.get("read_text").asText(), tensors.readInts("lit." + kind + ".read_ids"),
                        c.get("write_text").asText(), tensors.readInts("lit." + kind + ".write_ids"), c));
            }
        }
        return cases;
    }

    public static List<Chat> chats() {
        List<Chat> chats = new ArrayList<>();
        try (SafetensorsFile tensors = SafetensorsFile.open(SharedFiles.smollm2Dir().resolve("reference/reference.safetensors"))) {
            for (JsonNode c : json().get("chats")) {
                List<ChatMessage> messages = new ArrayList<>();
                for (JsonNode m : c.get("messages")) {
                    messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
                }
                String name = c.get("name").asText();
                chats.add(new Chat(name, messages, c.get("rendered").asText(), tensors.readInts("chat." + name + ".ids")));
            }
        }
        return chats;
    }
}
