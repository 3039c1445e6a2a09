package io.latentqa.core.generate;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.io.Llama2cCheckpoint;
import io.latentqa.core.model.Llama;
import io.latentqa.core.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Golden test of the whole engine on Karpathy's stories260K, as llama2.c's test_all.py does: greedy
 * generation from BOS, printed with run.c's rules, must equal the text llama2.c prints.
 */
class GeneratorStoriesTest {

    private static Llama model;
    private static Llama2cTokenizer tokenizer;

    @BeforeAll
    static void load() {
        Path dir = SharedFiles.stories260kDir();
        try (Llama2cCheckpoint checkpoint = Llama2cCheckpoint.open(dir.resolve("stories260K.bin"))) {
            model = Llama.load(checkpoint, DataType.FLOAT32);
        }
        tokenizer = Llama2cTokenizer.load(dir.resolve("tok512.bin"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyStoryFromBosEqualsRunC() throws Exception {
        // run.c -t 0 -n 256: prompt = [BOS], up to 256 tokens, stops when the model emits BOS
        Generation story = new Generator(model)
                .generate(List.of(new int[] {Llama2cTokenizer.BOS}), GenerationSettings.greedy(256, Set.of(Llama2cTokenizer.BOS)))
                .get(0);
        byte[] expected = Files.readAllBytes(SharedFiles.stories260kDir().resolve("expected_greedy_t0.txt"));
        assertEquals(new String(expected, StandardCharsets.UTF_8), runCText(story.tokens()));
    }

    /** What run.c prints: decode(prev, next) through safe_printf, nothing for the final BOS, then a newline. */
    private static String runCText(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = Llama2cTokenizer.BOS;
        for (int token : tokens) {
            if (token == Llama2cTokenizer.BOS) {
                break;
            }
            byte[] piece = tokenizer.piece(previous, token);
            boolean unprintableByte = piece.length == 1 && !(isPrint(piece[0]) || isSpace(piece[0]));
            if (piece.length > 0 && !unprintableByte) {
                out.writeBytes(piece);
            }
            previous = token;
        }
        out.write('\n');
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isPrint(byte b) {
        return b >= 0x20 && b <= 0x7e;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= 0x09 && b <= 0x0d);
    }
}
