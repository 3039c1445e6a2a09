package io.latentqa.core.lit;

import io.latentqa.core.SharedFiles;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LIT layout of a text model on stories260K's tok512 (no chat template; '?' is a token, ' ?' is not):
 * read ids, mask and shown positions, write ids, placeholders and labels, checked by decoding the ids
 * with the tokenizer.
 */
class TextLayoutTest {

    private static final Llama2cTokenizer TOK = Llama2cTokenizer.load(SharedFiles.stories260kDir().resolve("tok512.bin"));
    private static final LitPromptBuilder BUILDER = LitPromptBuilder.forTextModel(TOK, Llama2cTokenizer.BOS, Llama2cTokenizer.EOS);
    private static final String OPENING = "Once upon a time there was a sad little cat named Tom who loved his red ball.";
    // as capture-service returns it: decoded from the ids generated right after the opening, so with the
    // leading space of its first piece
    private static final String CONTINUATION = " Tom liked to play with his ball every day.";

    @Test
    void readMasksTheFirstMessageAndShowsTheReferenceVectorAndTheRest() {
        LitRead read = BUILDER.read(new ReadPrompt(List.of(ChatMessage.user(OPENING), ChatMessage.assistant(CONTINUATION)),
                false, MaskKind.USER));
        int[] ids = read.ids();
        assertEquals(Llama2cTokenizer.BOS, ids[0]);
        int controlEnd = read.mask().end();
        assertEquals(0, read.mask().start());
        assertEquals(OPENING, TOK.decode(Arrays.copyOfRange(ids, 1, controlEnd)).strip());
        assertEquals(CONTINUATION.strip(), TOK.decode(Arrays.copyOfRange(ids, controlEnd, ids.length)).strip());
        int[] expected = IntStream.concat(IntStream.of(1), IntStream.range(controlEnd + 1, ids.length)).toArray();
        assertArrayEquals(expected, read.vectorIndex());
    }

    @Test
    void textCompletionReadsWhatTheModelSawAndWrote() {
        LitRecord record = new LitRecord("", OPENING, "", "Tell me what happens next.", CONTINUATION, "story-x");
        LitRead read = BUILDER.read(record.readPrompt());
        int[] ids = read.ids();
        // dataset-service's prompt (opening and story prompt joined by a space), then the continuation as generated
        String prompt = OPENING + " " + "Tell me what happens next.";
        int[] promptIds = TOK.encode(prompt);
        assertArrayEquals(promptIds, Arrays.copyOfRange(ids, 1, 1 + promptIds.length));
        assertEquals(CONTINUATION.strip(), TOK.decode(Arrays.copyOfRange(ids, 1 + promptIds.length, ids.length)).strip());
        assertEquals(OPENING, TOK.decode(Arrays.copyOfRange(ids, 1, read.mask().end())).strip());
    }

    @Test
    void unmaskedReadShowsEveryPositionButBos() {
        LitRead read = BUILDER.read(ReadPrompt.unmasked(List.of(ChatMessage.user(OPENING)), false));
        assertNull(read.mask());
        assertArrayEquals(TOK.encode(OPENING), Arrays.copyOfRange(read.ids(), 1, read.ids().length));
        assertArrayEquals(IntStream.range(1, read.ids().length).toArray(), read.vectorIndex());
    }

    @Test
    void writeHasOnePlaceholderIdPerVectorAndLabelsOnTheDecoderSegments() {
        int n = 7;
        LitWrite write = BUILDER.write(n, "What animal is the story about?", "a cat");
        int[] ids = write.ids();
        assertEquals(Llama2cTokenizer.BOS, ids[0]);
        assertArrayEquals(IntStream.rangeClosed(1, n).toArray(), write.placeholderPositions());
        for (int p : write.placeholderPositions()) {
            assertEquals("?", TOK.token(ids[p]));
        }
        assertEquals("Sure, I've analyzed the assistant. What animal is the story about? a cat",
                TOK.decode(Arrays.copyOfRange(ids, n + 1, ids.length)).strip());
        assertEquals("Sure, I've analyzed the assistant.|a cat|", labelled(write.labels(LabelKind.TRAIN)));
        assertEquals("a cat|", labelled(write.labels(LabelKind.ANSWER_ONLY)));
        assertEquals(Llama2cTokenizer.EOS, ids[ids.length - 1]);
    }

    @Test
    void openWriteEndsWithTheQuestion() {
        LitWrite open = BUILDER.write(3, "What is the name of the main character?", null);
        assertTrue(open.open());
        assertEquals("What is the name of the main character?",
                TOK.decode(Arrays.copyOfRange(open.ids(), open.ids().length - TOK.encode("What is the name of the main character?").length,
                        open.ids().length)).strip());
        assertThrows(IllegalArgumentException.class, () -> BUILDER.write(0, "q", "a"));
        assertThrows(IllegalStateException.class, BUILDER::turnFormat);
    }

    @Test
    void aLlama2cModelWithoutTemplateGetsTheTextLayout() {
        LitPromptBuilder created = LitPromptBuilder.create(TOK, null);
        assertArrayEquals(BUILDER.write(4, "Who?", "Tom").ids(), created.write(4, "Who?", "Tom").ids());
        assertEquals(Llama2cTokenizer.EOS, created.endOfTurnId());
    }

    /** The labelled tokens decoded, each EOS written as '|'. */
    private static String labelled(int[] labels) {
        StringBuilder out = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        for (int label : labels) {
            if (label == LitWrite.IGNORE) {
                continue;
            }
            if (label == Llama2cTokenizer.EOS) {
                out.append(TOK.decode(ids.stream().mapToInt(Integer::intValue).toArray()).strip()).append('|');
                ids.clear();
            } else {
                ids.add(label);
            }
        }
        return out.toString();
    }
}
