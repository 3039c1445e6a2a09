package io.latentqa.core.lit;

import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The builder on the Llama 3 template reproduces the worked example of method doc §2.7 (made with the
 * Llama-3 tokenizer): same L, mask span, n, vector positions, write length, placeholder and loss
 * positions. The tokenizer here is a stand-in with Llama 3's special tokens and Llama 3's pre-tokenizer
 * pieces as tokens, which splits the doc's texts into the same number of tokens as Llama 3's BPE.
 */
class LitLlama3LayoutTest {

    /** Meta's Llama-3-Instruct template (3.0; the one the reference also forces for 3.1). */
    private static final String LLAMA3_TEMPLATE = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim"
            + " + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    private final WordTokenizer tokenizer = new WordTokenizer(
            List.of("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"));
    private final LitPromptBuilder builder = LitPromptBuilder.create(tokenizer,
            new ChatTemplate(LLAMA3_TEMPLATE, Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>")));

    @Test
    void turnFormatIsDetectedFromTheLlama3Template() {
        TurnFormat format = builder.turnFormat();
        assertEquals(tokenizer.idOf("<|start_header_id|>"), format.turnStartId());
        assertEquals(tokenizer.idOf("<|eot_id|>"), format.endOfTurnId());
        assertEquals("<|start_header_id|>reflect<|end_header_id|>\n\n", tokenizer.decode(format.header("reflect")));
    }

    @Test
    void stimulusRecordGivesTheWorkedExample() {
        LitRecord record = new LitRecord("", "Talk like a pirate.", "Arr, I will!", "How are you?", "", "x");
        LitExample example = builder.build(record, "How will the assistant express themselves?", "Like a pirate.");
        LitRead read = example.read();
        assertEquals(34, read.length());
        assertEquals(new MaskSpan(1, 21), read.mask());
        assertEquals(13, example.vectorCount()); // n = L − V − 1
        assertArrayEquals(concat(new int[]{1}, range(22, 34)), read.vectorIndex());

        LitWrite write = example.write();
        assertEquals(53, write.length());
        assertArrayEquals(range(5, 18), write.placeholderPositions()); // NUM_WRITE_TOKENS_TO_SHIFT = 5
        assertArrayEquals(concat(range(23, 32), range(48, 53)), lossPositions(write.labels(LabelKind.TRAIN)));
        assertArrayEquals(range(48, 53), lossPositions(write.labels(LabelKind.ANSWER_ONLY)));
    }

    @Test
    void systemRecordGivesTheSamePlaceholderCount() {
        LitRecord record = new LitRecord("Talk like a pirate.", "", "", "How are you?", "", "x");
        LitRead read = builder.read(record.readPrompt());
        assertEquals(24, read.length());
        assertEquals(new MaskSpan(1, 11), read.mask());
        assertArrayEquals(concat(new int[]{1}, range(12, 24)), read.vectorIndex());
    }

    @Test
    void controlRecordShowsEveryTokenAfterBos() {
        LitRead read = builder.read(new LitRecord("", "Talk like a pirate.", "", "", "", "x").readPrompt());
        String text = tokenizer.decode(read.ids());
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nTalk like a pirate.<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", text);
        assertEquals(null, read.mask());
        assertArrayEquals(range(1, read.length()), read.vectorIndex());
    }

    @Test
    void openReflectTurnIsTheDecoderGenerationPrompt() {
        LitWrite open = builder.write(3, "Who?", null);
        String text = tokenizer.decode(open.ids());
        assertEquals(true, text.endsWith("<|eot_id|><|start_header_id|>reflect<|end_header_id|>\n\n"), text);
        assertArrayEquals(range(5, 8), open.placeholderPositions());
        List<ChatMessage> expected = LitPromptBuilder.writeMessages(3, "Who?");
        assertEquals("? ? ?", expected.get(0).content());
    }

    // ----------------------------------------------------------------------------------------------

    private static int[] lossPositions(int[] labels) {
        return java.util.stream.IntStream.range(0, labels.length).filter(t -> labels[t] != LitWrite.IGNORE).toArray();
    }

    private static int[] range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Special tokens are single ids; other text is cut into the pieces of Llama 3's pre-tokenizer regex
     * (contractions, words with their leading space or punctuation, up to 3 digits, punctuation runs,
     * newline runs, whitespace), each piece one token, ids assigned on first sight.
     */
    static final class WordTokenizer implements Tokenizer {
        private static final Pattern PIECES = Pattern.compile(
                "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                        + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        private final List<String> specials;
        private final List<String> vocabulary = new ArrayList<>();
        private final Map<String, Integer> ids = new HashMap<>();

        WordTokenizer(List<String> specials) {
            this.specials = specials;
            specials.forEach(this::id);
        }

        private synchronized int id(String piece) {
            return ids.computeIfAbsent(piece, p -> {
                vocabulary.add(p);
                return vocabulary.size() - 1;
            });
        }

        @Override
        public int[] encode(String text) {
            List<Integer> out = new ArrayList<>();
            int at = 0;
            while (at < text.length()) {
                int next = text.length();
                String special = null;
                for (String s : specials) {
                    int i = text.indexOf(s, at);
                    if (i >= 0 && i < next) {
                        next = i;
                        special = s;
                    }
                }
                Matcher m = PIECES.matcher(text.substring(at, next));
                while (m.find()) {
                    out.add(id(m.group()));
                }
                if (special != null) {
                    out.add(id(special));
                    next += special.length();
                }
                at = next;
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public synchronized String decode(int[] tokens) {
            StringBuilder sb = new StringBuilder();
            for (int t : tokens) {
                sb.append(vocabulary.get(t));
            }
            return sb.toString();
        }

        @Override
        public synchronized String token(int id) {
            return vocabulary.get(id);
        }

        @Override
        public synchronized int vocabSize() {
            return vocabulary.size();
        }

        @Override
        public synchronized int idOf(String token) {
            return ids.getOrDefault(token, -1);
        }

        @Override
        public Set<Integer> stopTokens() {
            return Set.of(idOf("<|eot_id|>"));
        }
    }
}
