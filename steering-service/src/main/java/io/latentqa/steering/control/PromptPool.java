package io.latentqa.steering.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.core.lit.ReadPrompt;
import io.latentqa.core.tokenizer.ChatMessage;

/**
 * The prompts a control job steers on and the prompts it holds out, split by a hash of the prompt's text (one in ten
 * held out), so the split is the same for every job and every machine and a held-out prompt is never trained on.
 *
 * <p>The built-in pool is the user turns of {@code train/system.json} with no system prompt (method doc §6 reads
 * ordinary prompts; we use these instead of Dolly, which is not in the shared folder): (a) reads the user turn with
 * the generation prompt, (b) the user turn and the target's own answer.
 *
 * @param train   prompts to steer on, in file order
 * @param heldOut prompts held out, ordered by their hash (a fixed pseudo-random order)
 */
public record PromptPool(List<ControlSpec.PoolPrompt> train, List<ControlSpec.PoolPrompt> heldOut) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HELD_OUT_ONE_IN = 10;

    /** The distinct user turns of train/system.json. */
    public static PromptPool builtIn(Path dataDir) {
        Path file = dataDir.resolve("train/system.json");
        JsonNode records;
        try {
            records = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("the built-in prompt pool train/system.json cannot be read from the data folder", e);
        }
        Map<String, ControlSpec.PoolPrompt> turns = new LinkedHashMap<>();
        for (JsonNode record : records) {
            String user = record.path("stimulus_user").asText("").strip();
            if (!user.isEmpty()) {
                turns.putIfAbsent(user, new ControlSpec.PoolPrompt(user, null));
            }
        }
        return split(new ArrayList<>(turns.values()));
    }

    /** An uploaded pool, split the same way; at least one prompt is held out and one kept. */
    public static PromptPool split(List<ControlSpec.PoolPrompt> prompts) {
        List<ControlSpec.PoolPrompt> train = new ArrayList<>();
        List<ControlSpec.PoolPrompt> heldOut = new ArrayList<>();
        for (ControlSpec.PoolPrompt p : prompts) {
            (hash(p.prompt()) % HELD_OUT_ONE_IN == 0 ? heldOut : train).add(p);
        }
        if (heldOut.isEmpty() && train.size() > 1) {
            heldOut.add(train.remove(train.size() - 1));
        } else if (train.isEmpty() && heldOut.size() > 1) {
            train.add(heldOut.remove(heldOut.size() - 1));
        }
        heldOut.sort(Comparator.comparingLong(p -> hash(p.prompt() + "#order")));
        return new PromptPool(List.copyOf(train), List.copyOf(heldOut));
    }

    /**
     * How a job reads a pool prompt (method doc §6, unmasked): (a) the user turn with the generation prompt when there
     * is no response, (b) the user turn and the response.
     */
    public static ReadPrompt read(String prompt, String response) {
        return response == null
                ? ReadPrompt.unmasked(List.of(ChatMessage.user(prompt)), true)
                : ReadPrompt.unmasked(List.of(ChatMessage.user(prompt), ChatMessage.assistant(response)), false);
    }

    /** The user turns of prompts/default.json: the method's evaluation prompts for a steered model. */
    public static List<String> evaluationPrompts(Path dataDir) {
        try {
            List<String> prompts = new ArrayList<>();
            for (JsonNode p : JSON.readTree(dataDir.resolve("prompts/default.json").toFile())) {
                prompts.add(p.asText());
            }
            return prompts;
        } catch (IOException e) {
            throw new UncheckedIOException("prompts/default.json cannot be read from the data folder", e);
        }
    }

    /** A non-negative 63-bit hash of the text (SHA-256, independent of the JVM). */
    static long hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (digest[i] & 0xff);
            }
            return value & Long.MAX_VALUE;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
