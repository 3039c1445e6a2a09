package io.latentqa.core.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.io.SafetensorsFile;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.HfTokenizer;
import io.latentqa.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LIT example builder against the three {@code lit} cases of the SmolLM2 reference (method doc §12). */
class LitPromptBuilderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static HfTokenizer tokenizer;
    private static ChatTemplate template;
    private static LitPromptBuilder builder;
    private static SafetensorsFile reference;

    @BeforeAll
    static void load() throws Exception {
        Path dir = SharedFiles.smollm2Dir();
        tokenizer = HfTokenizer.load(dir.resolve("tokenizer.json"), List.of("<|im_end|>", "<|endoftext|>"));
        template = ChatTemplate.fromHfFolder(dir);
        builder = LitPromptBuilder.create(tokenizer, template);
        reference = SafetensorsFile.open(dir.resolve("reference/reference.safetensors"));
    }

    @AfterAll
    static void close() {
        reference.close();
        tokenizer.close();
    }

    static JsonNode referenceCase(String kind) {
        return LitReference.referenceCase(kind);
    }

    static List<ChatMessage> messages(JsonNode c) {
        return LitReference.messages(c);
    }

    /** The record of the data files that the reference case was made from (make_reference.py). */
    static LitRecord dataRecord(String kind) throws Exception {
        String file = switch (kind) {
            case "system" -> "data/latentqa/train/system.json";
            case "stimulus" -> "data/latentqa/eval/stimulus_v1.json";
            case "control" -> "data/latentqa/eval/control.json";
            default -> throw new IllegalArgumentException(kind);
        };
        @SuppressWarnings("unchecked")
        Map<String, Object> first = JSON.readValue(SharedFiles.file(file).toFile(), List.class).get(0) instanceof Map<?, ?> m
                ? (Map<String, Object>) m : null;
        return LitRecord.fromJson(first);
    }

    @Test
    void turnFormatIsDetectedFromTheChatMlTemplate() {
        TurnFormat format = builder.turnFormat();
        assertEquals(tokenizer.idOf("<|im_start|>"), format.turnStartId());
        assertEquals(tokenizer.idOf("<|im_end|>"), format.endOfTurnId());
        assertEquals("<|im_start|>reflect\n", tokenizer.decode(format.header("reflect")));
        assertEquals(3, format.header("reflect").length);
        assertEquals("<|im_start|>system\n", tokenizer.decode(format.header("system")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"system", "stimulus", "control"})
    void exampleEqualsTheReferenceExactly(String kind) throws Exception {
        JsonNode c = referenceCase(kind);
        String tag = "lit." + kind + ".";
        LitRecord record = dataRecord(kind);
        ReadPrompt prompt = record.readPrompt();
        assertEquals(messages(c), prompt.messages(), "record → read messages");
        assertEquals(c.get("generation_prompt").asBoolean(), prompt.generationPrompt());

        LitExample example = builder.build(record, c.get("question").asText(), c.get("answer").asText());
        LitRead read = example.read();
        LitWrite write = example.write();

        assertArrayEquals(reference.readInts(tag + "read_ids"), read.ids(), "read ids");
        assertEquals(c.get("L").asInt(), read.length());
        JsonNode span = c.get("mask_span");
        if (span.get(0).isNull()) {
            assertNull(read.mask(), "no mask");
        } else {
            assertEquals(new MaskSpan(span.get(0).asInt(), span.get(1).asInt()), read.mask());
        }
        assertArrayEquals(reference.readInts(tag + "vector_index"), read.vectorIndex(), "vector index");
        assertEquals(c.get("n_vectors").asInt(), example.vectorCount());
        assertArrayEquals(reference.readInts(tag + "write_ids"), write.ids(), "write ids");
        assertEquals(c.get("write_text").asText(), tokenizer.decode(write.ids()), "write text");
        assertArrayEquals(reference.readInts(tag + "placeholder_positions"), write.placeholderPositions(), "placeholders");
        int[] labels = reference.readInts(tag + "labels");
        assertArrayEquals(labels, write.labels(LabelKind.TRAIN), "training labels");

        // answer-only = the reference's labels from the last reflect turn on (make_reference.py)
        int lastReflect = builder.turnFormat().turns(write.ids()).stream()
                .filter(t -> t.role().equals("reflect")).reduce((a, b) -> b).orElseThrow().start();
        int[] answerOnly = labels.clone();
        Arrays.fill(answerOnly, 0, lastReflect, LitWrite.IGNORE);
        assertArrayEquals(answerOnly, write.labels(LabelKind.ANSWER_ONLY), "answer-only labels");
        int answerTokens = (int) Arrays.stream(answerOnly).filter(l -> l != LitWrite.IGNORE).count();
        assertEquals(reference.shape(tag + "answer_logprobs")[0], answerTokens, "answer tokens = reference log-probs");
    }

    @Test
    void systemCaseMatchesTheWorkedExampleOfTheMethodDoc() {
        JsonNode c = referenceCase("system");
        LitExample example = builder.build(messages(c), true, MaskKind.SYSTEM, c.get("question").asText(),
                c.get("answer").asText());
        assertEquals(49, example.read().length());
        assertEquals(new MaskSpan(0, 25), example.read().mask());
        assertEquals(24, example.vectorCount());
        assertEquals(1, example.read().vectorIndex()[0]);
        assertEquals(26, example.read().vectorIndex()[1]);
        assertEquals(24, example.write().placeholderPositions()[0]);
        assertEquals(47, example.write().placeholderPositions()[23]);
        // "Sure, I've analyzed the assistant.<|im_end|>" and "answer<|im_end|>" carry the loss, nothing else
        int[] train = example.write().labels(LabelKind.TRAIN);
        StringBuilder text = new StringBuilder();
        for (int t = 0; t < train.length; t++) {
            if (train[t] != LitWrite.IGNORE) {
                text.append(tokenizer.decode(new int[]{train[t]}));
            }
        }
        assertEquals("Sure, I've analyzed the assistant.<|im_end|>" + c.get("answer").asText() + "<|im_end|>", text.toString());
    }

    @Test
    void readingInputEndsWithTheOpenReflectTurn() {
        JsonNode c = referenceCase("control");
        LitExample full = builder.build(messages(c), true, MaskKind.NONE, c.get("question").asText(), c.get("answer").asText());
        LitExample open = builder.build(ReadPrompt.forReading(messages(c)), c.get("question").asText(), null);
        assertTrue(open.write().open());
        assertNull(open.write().trainLabels());
        assertTrue(tokenizer.decode(open.write().ids()).endsWith("<|im_start|>reflect\n"));
        int[] prefix = Arrays.copyOf(full.write().ids(), open.write().length());
        assertArrayEquals(prefix, open.write().ids(), "the open input is a prefix of the full one");
        assertArrayEquals(full.write().placeholderPositions(), open.write().placeholderPositions());
        assertThrows(IllegalStateException.class, () -> open.write().labels(LabelKind.TRAIN));
    }

    @Test
    void unmaskedReadShowsEveryPositionButTheFirst() {
        JsonNode c = referenceCase("stimulus");
        LitRead read = builder.read(ReadPrompt.unmasked(messages(c), true));
        assertNull(read.mask());
        assertEquals(read.length() - 1, read.vectorCount());
        assertEquals(1, read.vectorIndex()[0]);
        assertEquals(read.length() - 1, read.vectorIndex()[read.vectorCount() - 1]);
    }

    @Test
    void stimulusCompletionRecordHasNoGenerationPromptAndMasksTheControl() {
        LitRecord record = new LitRecord("", "Talk like a pirate.", "Arr, I will!", "How are you?", "Arr, fine!", "x");
        assertEquals(RecordKind.STIMULUS_COMPLETION, record.kind());
        ReadPrompt prompt = record.readPrompt();
        assertEquals(4, prompt.messages().size());
        assertEquals(false, prompt.generationPrompt());
        LitRead read = builder.read(prompt);
        String text = tokenizer.decode(read.ids());
        assertTrue(text.endsWith("Arr, fine!<|im_end|>\n"), text);
        // the masked span runs from the first user turn start to the second
        List<TurnFormat.Turn> turns = builder.turnFormat().turns(read.ids());
        List<Integer> users = turns.stream().filter(t -> t.role().equals("user")).map(TurnFormat.Turn::start).toList();
        assertEquals(new MaskSpan(users.get(0), users.get(1)), read.mask());
        assertEquals(read.length() - users.get(1), read.vectorCount());
    }

    @Test
    void systemCompletionShowsTheTargetsReplyAndMasksTheSystemTurn() {
        LitRecord record = new LitRecord("Talk like a pirate.", "", "", "How are you?", "Arr, fine!", "x");
        assertEquals(RecordKind.SYSTEM_COMPLETION, record.kind());
        LitRead read = builder.read(record.readPrompt());
        String text = tokenizer.decode(read.ids());
        assertTrue(text.endsWith("<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\nArr, fine!<|im_end|>\n"), text);
        List<TurnFormat.Turn> turns = builder.turnFormat().turns(read.ids());
        int system = turns.stream().filter(t -> t.role().equals("system")).findFirst().orElseThrow().start();
        int user = turns.stream().filter(t -> t.role().equals("user")).findFirst().orElseThrow().start();
        assertEquals(new MaskSpan(system, user), read.mask());
        // shown: the reference vector, then everything after the user turn start, the reply included
        assertEquals(1 + read.length() - (user + 1), read.vectorCount());
        assertTrue(tokenizer.decode(Arrays.copyOfRange(read.ids(), user + 1, read.length())).contains("Arr, fine!"));
    }

    @Test
    void textCompletionIsRejectedForAChatModel() {
        LitRecord story = new LitRecord("", "Once upon a time.", "", "", " The end.", "story-x");
        assertEquals(RecordKind.TEXT_COMPLETION, story.kind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.build(story, "Q?", "A."));
        assertTrue(e.getMessage().contains("story-x") && e.getMessage().contains("system_completion"), e.getMessage());
    }

    @Test
    void recordKindsFollowTheFieldOrder() {
        assertEquals(RecordKind.SYSTEM_COMPLETION, new LitRecord("s", "c", "m", "u", "r", "l").kind());
        assertEquals(RecordKind.SYSTEM, new LitRecord("s", "c", "m", "u", "", "l").kind());
        assertEquals(RecordKind.CONTROL, new LitRecord(null, "c", null, null, null, "l").kind());
        assertEquals(RecordKind.TEXT_COMPLETION, new LitRecord(null, "c", null, null, "r", "l").kind());
        assertEquals(RecordKind.STIMULUS, new LitRecord("", "c", "m", "u", "", "l").kind());
        assertEquals(MaskKind.USER, new LitRecord(null, "c", null, null, null, "l").readPrompt().mask());
        assertEquals(MaskKind.SYSTEM, new LitRecord("s", null, null, "u", null, "l").readPrompt().mask());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LitRecord("s", null, null, "", null, "lbl").readPrompt());
        assertTrue(e.getMessage().contains("stimulus_user") && e.getMessage().contains("lbl"), e.getMessage());
    }

    @Test
    void systemMaskWithoutUserTurnIsRejected() {
        // (SmolLM2 inserts its own default system turn before a first non-system message, so "no system
        // turn" cannot happen with this template; a system turn without a user turn after it can)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.read(
                new ReadPrompt(List.of(ChatMessage.system("Talk like a pirate.")), true, MaskKind.SYSTEM)));
        assertTrue(e.getMessage().contains("needs a user turn after the system turn"), e.getMessage());
    }

    @Test
    void tokenizerThatMergesPlaceholdersIsRejected() {
        // a tokenizer wrapper where " ? ?" becomes one token, as some vocabularies do
        Tokenizer merging = new Tokenizer() {
            @Override
            public int[] encode(String text) {
                int[] ids = tokenizer.encode(text);
                if (text.contains("? ? ?")) {
                    return Arrays.copyOf(ids, ids.length - 1);
                }
                return ids;
            }

            @Override
            public String decode(int[] ids) {
                return tokenizer.decode(ids);
            }

            @Override
            public String token(int id) {
                return tokenizer.token(id);
            }

            @Override
            public int vocabSize() {
                return tokenizer.vocabSize();
            }

            @Override
            public int idOf(String token) {
                return tokenizer.idOf(token);
            }

            @Override
            public Set<Integer> stopTokens() {
                return tokenizer.stopTokens();
            }
        };
        LitPromptBuilder merged = new LitPromptBuilder(merging, template, builder.turnFormat());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> merged.write(5, "q?", "a"));
        assertTrue(e.getMessage().contains("does not tokenize to one token per '?'"), e.getMessage());
    }
}
