package io.latentqa.core.tokenizer;

import io.latentqa.core.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HfTokenizerTest {

    private static HfTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = HfTokenizer.load(SharedFiles.smollm2Dir().resolve("tokenizer.json"), List.of("<|im_end|>"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void referenceCasesGiveTheReferenceIds() {
        for (SmolLm2Reference.TokenizerCase c : SmolLm2Reference.tokenizerCases()) {
            assertArrayEquals(c.ids(), tokenizer.encode(c.text()), c.text());
            assertEquals(c.text(), tokenizer.decode(c.ids()), "decode of " + c.text());
        }
    }

    @Test
    void renderedChatsGiveTheReferenceIds() {
        for (SmolLm2Reference.Chat chat : SmolLm2Reference.chats()) {
            assertArrayEquals(chat.ids(), tokenizer.encode(chat.rendered()), chat.name());
        }
    }

    @Test
    void litReadAndWriteTextsGiveTheReferenceIds() {
        for (SmolLm2Reference.LitCase lit : SmolLm2Reference.litCases()) {
            assertArrayEquals(lit.readIds(), tokenizer.encode(lit.readText()), lit.kind() + " read");
            assertArrayEquals(lit.writeIds(), tokenizer.encode(lit.writeText()), lit.kind() + " write");
        }
    }

    @Test
    void longTextIsNotTruncated() {
        String text = "word" + " word".repeat(1499);
        int[] ids = tokenizer.encode(text);
        assertEquals(1500, ids.length, "each ' word' / 'word' is one token and nothing is cut at 512");
        assertEquals(text, tokenizer.decode(ids));
    }

    @Test
    void specialTokensAreParsedNotAddedAndKeptWhenDecoding() {
        assertArrayEquals(new int[] {1}, tokenizer.encode("<|im_start|>"));
        assertArrayEquals(new int[0], tokenizer.encode(""));
        assertEquals("<|im_start|>user\nhi<|im_end|>", tokenizer.decode(tokenizer.encode("<|im_start|>user\nhi<|im_end|>")));
        assertEquals("a . b , c 's", tokenizer.decode(tokenizer.encode("a . b , c 's")), "no clean-up of spaces");
    }

    @Test
    void vocabularyLookups() {
        assertEquals(49152, tokenizer.vocabSize());
        assertEquals(2, tokenizer.idOf("<|im_end|>"));
        assertEquals("<|im_start|>", tokenizer.token(1));
        assertEquals("?", tokenizer.token(47));
        assertEquals("Ġ?", tokenizer.token(9148));
        assertEquals(-1, tokenizer.idOf("no such token"));
        assertEquals(Set.of(2), tokenizer.stopTokens());
        assertThrows(IllegalArgumentException.class, () -> tokenizer.token(49152));
        assertThrows(IllegalArgumentException.class,
                () -> HfTokenizer.load(SharedFiles.smollm2Dir().resolve("tokenizer.json"), List.of("<eot>")));
    }
}
