package io.latentqa.core.tokenizer;

import io.latentqa.core.SharedFiles;
import io.latentqa.core.io.GgufFile;
import io.latentqa.core.io.GgufTestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufTokenizerTest {

    private static Path smolLm2Gguf() {
        return SharedFiles.smollm2Dir().resolve("SmolLM2-135M-Instruct.Q4_1.gguf");
    }

    @Test
    void smolLm2FromGgufGivesTheReferenceIds() {
        try (GgufFile gguf = GgufFile.open(smolLm2Gguf()); HfTokenizer tokenizer = GgufTokenizer.load(gguf)) {
            for (SmolLm2Reference.TokenizerCase c : SmolLm2Reference.tokenizerCases()) {
                assertArrayEquals(c.ids(), tokenizer.encode(c.text()), c.text());
                assertEquals(c.text(), tokenizer.decode(c.ids()));
            }
            for (SmolLm2Reference.Chat chat : SmolLm2Reference.chats()) {
                assertArrayEquals(chat.ids(), tokenizer.encode(chat.rendered()), chat.name());
            }
            for (SmolLm2Reference.LitCase lit : SmolLm2Reference.litCases()) {
                assertArrayEquals(lit.readIds(), tokenizer.encode(lit.readText()), lit.kind() + " read");
                assertArrayEquals(lit.writeIds(), tokenizer.encode(lit.writeText()), lit.kind() + " write");
            }
            assertEquals(49152, tokenizer.vocabSize());
            assertEquals(Set.of(2), tokenizer.stopTokens());
        }
    }

    /** The GGUF tokenizer and tokenizer.json agree on every vocabulary entry and on more texts than the reference. */
    @Test
    void smolLm2FromGgufEqualsTokenizerJson() {
        List<String> texts = new ArrayList<>();
        for (SmolLm2Reference.LitCase lit : SmolLm2Reference.litCases()) {
            texts.add(lit.readText());
            texts.add(lit.writeText());
            texts.add(lit.json().get("question").asText());
            texts.add(lit.json().get("answer").asText());
        }
        texts.add("Prices: $1234567.89, 10% off; 2nd-3rd place... \"quoted\" 'single' — dash\ttab\r\nCRLF");
        texts.add("<|im_start|>assistant\nSure<|im_end|><|endoftext|><repo_name>x<file_sep>");
        texts.add("ＦＵＬＬ width, ﬁ ligature, Ελληνικά, русский, עברית, العربية, हिन्दी, 한국어, 😀👍🏽👨‍👩‍👧");
        texts.add("    indented code\n\t\tdef f():\n        return 1_000\n");
        try (GgufFile gguf = GgufFile.open(smolLm2Gguf());
             HfTokenizer fromGguf = GgufTokenizer.load(gguf);
             HfTokenizer fromJson = HfTokenizer.load(SharedFiles.smollm2Dir().resolve("tokenizer.json"), List.of("<|im_end|>"))) {
            assertEquals(fromJson.vocabSize(), fromGguf.vocabSize());
            for (int id = 0; id < fromJson.vocabSize(); id++) {
                assertEquals(fromJson.token(id), fromGguf.token(id), "token " + id);
            }
            assertTrue(texts.size() > 10);
            for (String text : texts) {
                assertArrayEquals(fromJson.encode(text), fromGguf.encode(text), text);
            }
        }
    }

    /**
     * SentencePiece path: a GGUF holding stories260K's vocabulary (tok512.bin: pieces with "▁" for
     * spaces, scores, byte tokens) tokenizes like llama2.c's run.c (Llama2cTokenizer), which
     * prepends the same dummy space and merges by best score.
     */
    @Test
    void sentencePieceVocabularyTokenizesLikeLlama2c(@TempDir Path dir) throws IOException {
        Path tok512 = SharedFiles.stories260kDir().resolve("tok512.bin");
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(tok512)).order(ByteOrder.LITTLE_ENDIAN);
        in.getInt();
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        while (in.hasRemaining()) {
            scores.add(in.getFloat());
            byte[] bytes = new byte[in.getInt()];
            in.get(bytes);
            pieces.add(new String(bytes, StandardCharsets.UTF_8));
        }
        String[] tokens = new String[pieces.size()];
        float[] scoreArray = new float[pieces.size()];
        int[] types = new int[pieces.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = pieces.get(i).replace(' ', '\u2581'); // llama2.c's export wrote ▁ as a space
            scoreArray[i] = scores.get(i);
            types[i] = i == 0 ? 2 : i <= 2 ? 3 : i <= 258 ? 6 : 1;
        }
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        Path file = new GgufTestFiles(3, 32)
                .kvString("general.architecture", "llama")
                .kvString("tokenizer.ggml.model", "llama")
                .kvStrings("tokenizer.ggml.tokens", tokens)
                .kvFloats("tokenizer.ggml.scores", scoreArray)
                .kvInts("tokenizer.ggml.token_type", types)
                .kvU32("tokenizer.ggml.bos_token_id", 1)
                .kvU32("tokenizer.ggml.eos_token_id", 2)
                .kvU32("tokenizer.ggml.unknown_token_id", 0)
                .write(dir.resolve("spm.gguf"));
        Llama2cTokenizer llama2c = Llama2cTokenizer.load(tok512);
        try (GgufFile gguf = GgufFile.open(file); HfTokenizer spm = GgufTokenizer.load(gguf)) {
            for (String text : List.of("Once upon a time, there was a little girl named Lily.",
                    "She loved to play outside in the park. \"Hi!\" said Tom.",
                    "unicode é ü 日本 🙂 falls back to bytes",
                    "  two leading spaces and\nnew lines\n\n")) {
                assertArrayEquals(llama2c.encode(text), spm.encode(text), text);
                assertEquals(text, spm.decode(spm.encode(text)));
            }
            assertArrayEquals(new int[] {1}, spm.encode("<s>"));
            assertEquals(Set.of(2), spm.stopTokens());
        }
    }

    @Test
    void unsupportedTokenizerModelsFailClearly(@TempDir Path dir) {
        Path file = new GgufTestFiles(3, 32)
                .kvString("tokenizer.ggml.model", "bert")
                .kvStrings("tokenizer.ggml.tokens", "a")
                .write(dir.resolve("bert.gguf"));
        try (GgufFile gguf = GgufFile.open(file)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgufTokenizer.load(gguf));
            assertTrue(e.getMessage().contains("bert") && e.getMessage().contains("gpt2"), e.getMessage());
        }
        Path pre = new GgufTestFiles(3, 32)
                .kvString("tokenizer.ggml.model", "gpt2")
                .kvString("tokenizer.ggml.pre", "deepseek-coder")
                .kvStrings("tokenizer.ggml.tokens", "a", "b", "ab")
                .kvStrings("tokenizer.ggml.merges", "a b")
                .write(dir.resolve("pre.gguf"));
        try (GgufFile gguf = GgufFile.open(pre)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgufTokenizer.load(gguf));
            assertTrue(e.getMessage().contains("deepseek-coder"), e.getMessage());
        }
    }
}
