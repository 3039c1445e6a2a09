package io.latentqa.capture.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.latentqa.core.tokenizer.Tokenizer;

class CompletionTextTest {

    /** Token i is the i-th byte string; decoding joins the bytes (incomplete UTF-8 becomes U+FFFD). */
    record ByteTokenizer(List<byte[]> vocabulary) implements Tokenizer {
        static ByteTokenizer of(String... pieces) {
            return new ByteTokenizer(java.util.Arrays.stream(pieces).map(p -> p.getBytes(StandardCharsets.UTF_8)).toList());
        }

        @Override
        public int[] encode(String text) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String decode(int[] ids) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int id : ids) {
                out.writeBytes(vocabulary.get(id));
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public String token(int id) {
            return decode(new int[] {id});
        }

        @Override
        public int vocabSize() {
            return vocabulary.size();
        }

        @Override
        public int idOf(String token) {
            return -1;
        }

        @Override
        public Set<Integer> stopTokens() {
            return Set.of(0);
        }
    }

    static String feed(CompletionText text, int... ids) {
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            streamed.append(text.add(id));
        }
        return streamed.toString();
    }

    @Test
    void textStreamsTokenByTokenAndStopTokensAddNothing() {
        ByteTokenizer tokenizer = ByteTokenizer.of("<end>", "Hello", ",", " world");
        CompletionText text = new CompletionText(tokenizer, tokenizer.stopTokens(), List.of());
        assertEquals("Hello", text.add(1));
        assertEquals(",", text.add(2));
        assertEquals(" world", text.add(3));
        assertEquals("", text.add(0));
        assertEquals("", text.finish());
        assertEquals("Hello, world", text.text());
    }

    @Test
    void stopStringEndsTheTextAndIsNeverStreamed() {
        ByteTokenizer tokenizer = ByteTokenizer.of("<end>", "1, 2", ", 3", ", 4", "5");
        CompletionText text = new CompletionText(tokenizer, tokenizer.stopTokens(), List.of(", 3,"));
        String streamed = feed(text, 1, 2);
        // ", 3" could still become the stop string ", 3,": held back
        assertEquals("1, 2", streamed);
        assertFalse(text.stopped());
        streamed += feed(text, 3);
        assertTrue(text.stopped());
        assertEquals("1, 2", text.text());
        assertEquals("1, 2", streamed + text.finish());
    }

    @Test
    void heldBackPrefixIsReleasedWhenTheStopStringDoesNotCome() {
        ByteTokenizer tokenizer = ByteTokenizer.of("<end>", "a", "</", "b>");
        CompletionText text = new CompletionText(tokenizer, tokenizer.stopTokens(), List.of("</s>"));
        assertEquals("a", text.add(1));
        assertEquals("", text.add(2));
        assertEquals("</b>", text.add(3));
        assertEquals("a</b>", text.text());
    }

    @Test
    void incompleteUtf8IsHeldUntilTheCharacterIsWhole() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // 3 bytes
        ByteTokenizer tokenizer = new ByteTokenizer(List.of("<end>".getBytes(StandardCharsets.UTF_8),
                new byte[] {euro[0], euro[1]}, new byte[] {euro[2]}, "5".getBytes(StandardCharsets.UTF_8)));
        CompletionText text = new CompletionText(tokenizer, tokenizer.stopTokens(), List.of());
        assertEquals("", text.add(1));
        assertEquals("€", text.add(2));
        assertEquals("5", text.add(3));
        assertEquals("€5", text.text());
    }
}
