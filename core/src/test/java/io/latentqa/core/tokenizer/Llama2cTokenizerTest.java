package io.latentqa.core.tokenizer;

import io.latentqa.core.SharedFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** run.c's encode/decode rules on tok512.bin. */
class Llama2cTokenizerTest {

    private static Llama2cTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = Llama2cTokenizer.load(SharedFiles.stories260kDir().resolve("tok512.bin"));
    }

    @Test
    void vocabularyHasSpecialAndByteTokens() {
        assertEquals(512, tokenizer.vocabSize());
        assertEquals("<unk>", tokenizer.token(0));
        assertEquals("\n<s>\n", tokenizer.token(1));
        assertEquals("\n</s>\n", tokenizer.token(2));
        assertEquals("<0x00>", tokenizer.token(3));
        assertEquals("<0xFF>", tokenizer.token(258));
        assertEquals(1, tokenizer.idOf("\n<s>\n"));
    }

    @Test
    void emptyTextIsJustBosAndNoDummyPrefix() {
        assertArrayEquals(new int[] {1}, tokenizer.encode("", true, false));
        assertArrayEquals(new int[] {1, 2}, tokenizer.encode("", true, true));
        assertArrayEquals(new int[0], tokenizer.encode(""));
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToBytes() {
        // '日' (E6 97 A5) is not among 512 tokens: three byte tokens, id = byte + 3
        int[] ids = tokenizer.encode("日");
        assertEquals(tokenizer.idOf(" "), ids[0], "dummy prefix first");
        assertArrayEquals(new int[] {0xE6 + 3, 0x97 + 3, 0xA5 + 3}, java.util.Arrays.copyOfRange(ids, 1, 4));
        assertArrayEquals(new byte[] {(byte) 0xE6}, tokenizer.piece(5, 0xE6 + 3));
    }

    @Test
    void mergesPreferTheHighestScoreAndRoundTrip() {
        String text = "Once upon a time, there was a little girl named Lily. Straße 日本";
        int[] ids = tokenizer.encode(text, true, false);
        assertEquals(1, ids[0]);
        // fewer tokens than bytes: merges happened
        assertTrue(ids.length < text.getBytes(StandardCharsets.UTF_8).length / 2, "ids " + ids.length);
        // BOS drops the dummy space of the next token, so decoding gives the text back
        assertEquals(text, tokenizer.decode(ids));
        // no pair of neighbours is still mergeable
        for (int i = 1; i + 1 < ids.length; i++) {
            int merged = tokenizer.idOf(tokenizer.token(ids[i]) + tokenizer.token(ids[i + 1]));
            assertEquals(-1, merged, "tokens " + i + " and " + (i + 1) + " could still merge");
        }
    }

    @Test
    void pieceFollowsRunCDecodeRules() {
        int once = tokenizer.encode("Once")[0];
        assertEquals(" Once", tokenizer.token(once));
        assertArrayEquals("Once".getBytes(StandardCharsets.UTF_8), tokenizer.piece(1, once));
        assertArrayEquals(" Once".getBytes(StandardCharsets.UTF_8), tokenizer.piece(42, once));
        assertArrayEquals(new byte[] {'\n'}, tokenizer.piece(42, 0x0A + 3));
    }
}
