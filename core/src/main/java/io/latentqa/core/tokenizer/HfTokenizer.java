package io.latentqa.core.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer, run by the Rust {@code tokenizers} library through
 * DJL. Special tokens written in the text are parsed ({@code <|im_start|>} is one id) and none are
 * added; truncation is off (DJL would otherwise cut silently at 512 tokens); decoding keeps special
 * tokens. The vocabulary (for {@link #token} and {@link #idOf}) is read from the same document:
 * {@code model.vocab} plus {@code added_tokens}.
 *
 * <p>Holds a native tokenizer: {@link #close()} it when done.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final String[] vocabulary;          // id -> token as spelled in the vocabulary
    private final Map<String, Integer> idsByToken;
    private final Set<Integer> stopTokens;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, String[] vocabulary, Map<String, Integer> idsByToken,
                        Set<Integer> stopTokens) {
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
        this.idsByToken = idsByToken;
        this.stopTokens = Set.copyOf(stopTokens);
    }

    /**
     * Loads a {@code tokenizer.json}.
     *
     * @param stopTokens the model's end-of-turn / end-of-text tokens by their vocabulary string
     *                   (e.g. {@code <|im_end|>}); each must exist
     */
    public static HfTokenizer load(Path tokenizerJson, Collection<String> stopTokens) {
        return load(tokenizerJson, stopTokens, List.of());
    }

    /**
     * Loads a {@code tokenizer.json} with stop tokens given by string and/or by id (as
     * {@code generation_config.json} lists them); each must exist.
     */
    public static HfTokenizer load(Path tokenizerJson, Collection<String> stopTokens, Collection<Integer> stopIds) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + tokenizerJson, e);
        }
        return fromDocument(bytes, tokenizerJson.toString(), stopTokens, stopIds);
    }

    /** A tokenizer from the bytes of a tokenizer.json document; stop tokens by vocabulary string. */
    public static HfTokenizer fromDocument(byte[] tokenizerJson, String sourceName, Collection<String> stopTokens) {
        return fromDocument(tokenizerJson, sourceName, stopTokens, List.of());
    }

    /** A tokenizer from the bytes of a tokenizer.json document; stop tokens by string and by id. */
    public static HfTokenizer fromDocument(byte[] tokenizerJson, String sourceName, Collection<String> stopTokens,
                                           Collection<Integer> stopIds) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson);
        } catch (IOException e) {
            throw new IllegalArgumentException(sourceName + " is not a valid tokenizer.json: " + e.getMessage(), e);
        }
        Map<String, Integer> ids = new HashMap<>();
        String[] vocabulary = readVocabulary(root, ids, sourceName);
        Set<Integer> stops = new LinkedHashSet<>();
        for (String token : stopTokens) {
            Integer id = ids.get(token);
            if (id == null) {
                throw new IllegalArgumentException("stop token '" + token + "' is not in the vocabulary of " + sourceName);
            }
            stops.add(id);
        }
        for (int id : stopIds) {
            if (id < 0 || id >= vocabulary.length || vocabulary[id] == null) {
                throw new IllegalArgumentException("stop token id " + id + " is not in the vocabulary of " + sourceName);
            }
            stops.add(id);
        }
        HuggingFaceTokenizer native_;
        try {
            native_ = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the tokenizers library cannot load " + sourceName + ": " + e.getMessage(), e);
        }
        return new HfTokenizer(native_, vocabulary, ids, stops);
    }

    /** model.vocab (an object token->id, or Unigram's [[piece, score], ...]) plus added_tokens. */
    private static String[] readVocabulary(JsonNode root, Map<String, Integer> ids, String sourceName) {
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            vocab.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
        } else if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).get(0).asText(), i);
            }
        } else {
            throw new IllegalArgumentException(sourceName + " has no model.vocab");
        }
        for (JsonNode added : root.path("added_tokens")) {
            ids.put(added.get("content").asText(), added.get("id").asInt());
        }
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        String[] vocabulary = new String[size];
        ids.forEach((token, id) -> vocabulary[id] = token);
        return vocabulary;
    }

    @Override
    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = checkId(ids[i]);
        }
        return tokenizer.decode(longs, false);
    }

    @Override
    public String token(int id) {
        String token = vocabulary[checkId(id)];
        return token == null ? "" : token;
    }

    @Override
    public int vocabSize() {
        return vocabulary.length;
    }

    @Override
    public int idOf(String token) {
        Integer id = idsByToken.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public Set<Integer> stopTokens() {
        return stopTokens;
    }

    private int checkId(int id) {
        if (id < 0 || id >= vocabulary.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabulary.length + ")");
        }
        return id;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "HfTokenizer[" + vocabulary.length + " tokens, stop " + stopTokens + "]";
    }
}
