package io.latentqa.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentqa.core.io.GgufFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tokenizer stored in a GGUF file's metadata, turned into a Hugging Face {@code tokenizer.json}
 * document in memory and run by {@link HfTokenizer}.
 *
 * <p>Supported {@code tokenizer.ggml.model}s:
 * <ul>
 * <li>{@code gpt2} (byte-level BPE): {@code tokens}, {@code merges}, a ByteLevel decoder and the
 *     pre-tokenizer named by {@code tokenizer.ggml.pre} (see {@link #preTokenizer}).
 * <li>{@code llama} (SentencePiece BPE with byte fallback): {@code tokens} and {@code scores}; the
 *     merges are derived from the scores as transformers does (every split of a piece into two
 *     vocabulary pieces, ranked by the piece's score), with the {@code ▁} dummy prefix when
 *     {@code tokenizer.ggml.add_space_prefix} is true (the default).
 * </ul>
 * Tokens of type CONTROL (3), USER_DEFINED (4) and UNKNOWN (2) become added tokens, so they are
 * parsed when written in text. Stop tokens: {@code eos_token_id} and {@code eot_token_id}.
 */
public final class GgufTokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TYPE_NORMAL = 1;
    private static final int TYPE_UNKNOWN = 2;
    private static final int TYPE_CONTROL = 3;
    private static final int TYPE_USER_DEFINED = 4;

    /** llama.cpp's Llama 3 pre-tokenizer regex (LLAMA_VOCAB_PRE_TYPE_LLAMA3). */
    private static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen 2: as Llama 3 but single digits. */
    private static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private GgufTokenizer() {
    }

    /** Builds the tokenizer of a GGUF file. Close the result when done. */
    public static HfTokenizer load(GgufFile gguf) {
        byte[] document = tokenizerJson(gguf);
        String[] tokens = gguf.getStringArray("tokenizer.ggml.tokens");
        Set<String> stops = new LinkedHashSet<>();
        for (String key : List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id")) {
            if (gguf.has(key)) {
                int id = gguf.getInt(key);
                if (id < 0 || id >= tokens.length) {
                    throw new IllegalArgumentException(gguf.path() + ": " + key + " = " + id + " is outside the vocabulary");
                }
                stops.add(tokens[id]);
            }
        }
        return HfTokenizer.fromDocument(document, gguf.path().toString(), stops);
    }

    /** {@code bos_token}, {@code eos_token}, {@code unk_token}, {@code pad_token} spelled out from the GGUF token ids. */
    public static Map<String, String> specialTokens(GgufFile gguf) {
        String[] tokens = gguf.getStringArray("tokenizer.ggml.tokens");
        Map<String, String> specials = new java.util.LinkedHashMap<>();
        String[][] keys = {{"bos_token", "bos_token_id"}, {"eos_token", "eos_token_id"}, {"unk_token", "unknown_token_id"},
                {"pad_token", "padding_token_id"}};
        for (String[] key : keys) {
            String metadata = "tokenizer.ggml." + key[1];
            if (gguf.has(metadata)) {
                int id = gguf.getInt(metadata);
                if (id >= 0 && id < tokens.length) {
                    specials.put(key[0], tokens[id]);
                }
            }
        }
        return specials;
    }

    /** The tokenizer.json document (UTF-8 bytes) equivalent to the GGUF tokenizer metadata. */
    public static byte[] tokenizerJson(GgufFile gguf) {
        String model = gguf.getString("tokenizer.ggml.model", "(none)");
        ObjectNode root = switch (model) {
            case "gpt2" -> byteLevelBpe(gguf);
            case "llama" -> sentencePieceBpe(gguf);
            default -> throw new IllegalArgumentException(gguf.path() + " has tokenizer.ggml.model = " + model
                    + "; supported: gpt2 (byte-level BPE) and llama (SentencePiece BPE)");
        };
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode skeleton(GgufFile gguf, String[] tokens, int[] types) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < tokens.length; id++) {
            int type = types == null ? TYPE_NORMAL : types[id];
            if (type == TYPE_CONTROL || type == TYPE_USER_DEFINED || type == TYPE_UNKNOWN) {
                ObjectNode token = added.addObject();
                token.put("id", id);
                token.put("content", tokens[id]);
                token.put("single_word", false);
                token.put("lstrip", false);
                token.put("rstrip", false);
                token.put("normalized", false);
                token.put("special", type != TYPE_USER_DEFINED);
            }
        }
        return root;
    }

    private static int[] tokenTypes(GgufFile gguf, int count) {
        if (!gguf.has("tokenizer.ggml.token_type")) {
            return null;
        }
        int[] types = gguf.getIntArray("tokenizer.ggml.token_type");
        if (types.length != count) {
            throw new IllegalArgumentException(gguf.path() + ": " + types.length + " token types for " + count + " tokens");
        }
        return types;
    }

    // ----------------------------------------------------------------------------------------------
    // gpt2

    private static ObjectNode byteLevelBpe(GgufFile gguf) {
        String[] tokens = gguf.getStringArray("tokenizer.ggml.tokens");
        ObjectNode root = skeleton(gguf, tokens, tokenTypes(gguf, tokens.length));
        root.putNull("normalizer");
        root.set("pre_tokenizer", preTokenizer(gguf.getString("tokenizer.ggml.pre", "default"), gguf));
        root.putNull("post_processor");
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        ObjectNode bpe = bpeModel(root, tokens, null, false);
        ArrayNode merges = bpe.putArray("merges");
        for (String merge : gguf.getStringArray("tokenizer.ggml.merges")) {
            int space = merge.indexOf(' ');
            if (space <= 0 || merge.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException(gguf.path() + ": merge '" + merge + "' is not two pieces separated by one space");
            }
            merges.addArray().add(merge.substring(0, space)).add(merge.substring(space + 1));
        }
        return root;
    }

    /**
     * The Hugging Face pre-tokenizer for a llama.cpp {@code tokenizer.ggml.pre} name, following the
     * regexes of llama.cpp's {@code llama-vocab.cpp}: GPT-2's for {@code default}/{@code gpt-2};
     * single digits then GPT-2's for {@code smollm} (and the starcoder family); the Llama 3 regex
     * for {@code llama-bpe}; Qwen 2's for {@code qwen2}.
     */
    static JsonNode preTokenizer(String pre, GgufFile gguf) {
        return switch (pre) {
            case "default", "gpt-2", "gpt2" -> byteLevel(true);
            case "smollm", "starcoder", "refact", "codeshell" -> sequence(digits(), byteLevel(true));
            case "llama-bpe", "llama3" -> sequence(split(LLAMA3_REGEX), byteLevel(false));
            case "qwen2" -> sequence(split(QWEN2_REGEX), byteLevel(false));
            default -> throw new IllegalArgumentException(gguf.path() + " uses the pre-tokenizer '" + pre
                    + "', which this engine does not know; supported: default, gpt-2, smollm, starcoder, refact, codeshell,"
                    + " llama-bpe, qwen2 (or load the model's Hugging Face folder with its tokenizer.json)");
        };
    }

    private static ObjectNode byteLevel(boolean useRegex) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", false);
        node.put("trim_offsets", true);
        node.put("use_regex", useRegex);
        return node;
    }

    private static ObjectNode digits() {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "Digits");
        node.put("individual_digits", true);
        return node;
    }

    private static ObjectNode split(String regex) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "Split");
        node.putObject("pattern").put("Regex", regex);
        node.put("behavior", "Isolated");
        node.put("invert", false);
        return node;
    }

    private static ObjectNode sequence(ObjectNode... items) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "Sequence");
        ArrayNode list = node.putArray("pretokenizers");
        for (ObjectNode item : items) {
            list.add(item);
        }
        return node;
    }

    private static ObjectNode bpeModel(ObjectNode root, String[] tokens, String unk, boolean byteFallback) {
        ObjectNode bpe = root.putObject("model");
        bpe.put("type", "BPE");
        bpe.putNull("dropout");
        if (unk == null) {
            bpe.putNull("unk_token");
        } else {
            bpe.put("unk_token", unk);
        }
        bpe.putNull("continuing_subword_prefix");
        bpe.putNull("end_of_word_suffix");
        bpe.put("fuse_unk", byteFallback);
        bpe.put("byte_fallback", byteFallback);
        bpe.put("ignore_merges", false);
        ObjectNode vocab = bpe.putObject("vocab");
        for (int id = 0; id < tokens.length; id++) {
            if (!vocab.has(tokens[id])) {
                vocab.put(tokens[id], id);
            }
        }
        return bpe;
    }

    // ----------------------------------------------------------------------------------------------
    // llama (SentencePiece)

    private static ObjectNode sentencePieceBpe(GgufFile gguf) {
        String[] tokens = gguf.getStringArray("tokenizer.ggml.tokens");
        int[] types = tokenTypes(gguf, tokens.length);
        float[] scores = gguf.getFloatArray("tokenizer.ggml.scores");
        if (scores.length != tokens.length) {
            throw new IllegalArgumentException(gguf.path() + ": " + scores.length + " scores for " + tokens.length + " tokens");
        }
        ObjectNode root = skeleton(gguf, tokens, types);
        boolean prefix = gguf.getBoolean("tokenizer.ggml.add_space_prefix", true);
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "Sequence");
        ArrayNode normalizers = normalizer.putArray("normalizers");
        if (prefix) {
            normalizers.addObject().put("type", "Prepend").put("prepend", "\u2581");
        }
        ObjectNode replace = normalizers.addObject();
        replace.put("type", "Replace");
        replace.putObject("pattern").put("String", " ");
        replace.put("content", "\u2581");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        ObjectNode unspace = decoders.addObject();
        unspace.put("type", "Replace");
        unspace.putObject("pattern").put("String", "\u2581");
        unspace.put("content", " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        if (prefix) {
            decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        }
        int unkId = gguf.getInt("tokenizer.ggml.unknown_token_id", 0);
        ObjectNode bpe = bpeModel(root, tokens, tokens[unkId], true);
        ArrayNode merges = bpe.putArray("merges");
        for (String[] merge : mergesFromScores(tokens, scores, types)) {
            merges.addArray().add(merge[0]).add(merge[1]);
        }
        return root;
    }

    /**
     * SentencePiece stores scores, not merges: every way to split a normal piece into two pieces of
     * the vocabulary is a merge, ranked by the piece's score (highest first; ties keep vocabulary
     * order), as transformers' SentencePieceExtractor derives them.
     */
    static List<String[]> mergesFromScores(String[] tokens, float[] scores, int[] types) {
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            ids.putIfAbsent(tokens[id], id);
        }
        List<String[]> merges = new ArrayList<>();
        List<Float> mergeScores = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            if (types != null && types[id] != TYPE_NORMAL) {
                continue;
            }
            String piece = tokens[id];
            List<String[]> local = new ArrayList<>();
            for (int i = piece.offsetByCodePoints(0, 1); i < piece.length(); i = piece.offsetByCodePoints(i, 1)) {
                String left = piece.substring(0, i);
                String right = piece.substring(i);
                if (ids.containsKey(left) && ids.containsKey(right)) {
                    local.add(new String[] {left, right});
                }
            }
            local.sort(Comparator.<String[]>comparingInt(m -> ids.get(m[0])).thenComparingInt(m -> ids.get(m[1])));
            for (String[] m : local) {
                merges.add(m);
                mergeScores.add(scores[id]);
            }
        }
        Integer[] order = new Integer[merges.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(mergeScores.get(b), mergeScores.get(a))); // stable
        List<String[]> sorted = new ArrayList<>(order.length);
        for (Integer i : order) {
            sorted.add(merges.get(i));
        }
        return sorted;
    }
}
