package io.latentqa.core.lit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.io.GgufCheckpoint;
import io.latentqa.core.io.SafetensorsFile;
import io.latentqa.core.lora.Adapter;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.model.Llama;
import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.HfTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The shared-prompt scorer on SmolLM2 against two independent computations: the Hugging Face reference's
 * answer log-probs of the {@code system} case (SOURCE.md), and one full {@link LitLoss#evaluate} forward
 * per answer (no cache), with and without patched vectors, base model and a random LoRA adapter.
 */
class LitChoiceScorerTest {

    private static final int READ_LAYER = 15;
    private static final int WRITE_LAYER = 0;
    private static final List<String> OTHER_ANSWERS = List.of(
            "You are a pirate. Answer every question like one.",
            "Be brief.",
            "The assistant was told to reply only in French and to refuse any question about the weather, politely.");

    private static HfTokenizer tokenizer;
    private static LitPromptBuilder builder;
    private static Llama model;
    private static JsonNode systemCase;
    private static LitExample example;

    @BeforeAll
    static void load() {
        Path dir = SharedFiles.smollm2Dir();
        tokenizer = HfTokenizer.load(dir.resolve("tokenizer.json"), List.of("<|im_end|>", "<|endoftext|>"));
        builder = LitPromptBuilder.create(tokenizer, ChatTemplate.fromHfFolder(dir));
        try (GgufCheckpoint checkpoint = GgufCheckpoint.open(dir.resolve("SmolLM2-135M-Instruct.Q4_1.gguf"))) {
            model = Llama.load(checkpoint, DataType.FLOAT32);
        }
        systemCase = LitReference.referenceCase("system");
        example = builder.build(LitReference.messages(systemCase), systemCase.get("generation_prompt").asBoolean(),
                MaskKind.SYSTEM, systemCase.get("question").asText(), systemCase.get("answer").asText());
        model.addAdapter(randomAdapter("random", 7));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
        tokenizer.close();
    }

    @Test
    void theReferenceAnswerScoresAsInHuggingFace() {
        Path dir = SharedFiles.smollm2Dir();
        try (SafetensorsFile reference = SafetensorsFile.open(dir.resolve("reference/reference.safetensors"));
             NDManager manager = NDManager.newBaseManager()) {
            float[] expected = reference.readFloats("lit.system.answer_logprobs");
            double sum = 0;
            for (float v : expected) {
                sum += v;
            }
            NDArray vectors = LitActivations.read(model, List.of(example.read()), READ_LAYER, null, false, manager);
            List<LitWrite> writes = writes();
            double[] scores = LitChoiceScorer.logLikelihoods(model, writes, vectors, WRITE_LAYER, null, manager);
            System.out.printf("reference answer: %.5f vs Hugging Face %.5f (%d tokens)%n", scores[0], sum, expected.length);
            assertEquals(sum, scores[0], 1e-3 * expected.length);
        }
    }

    @Test
    void everyAnswerScoresAsInItsOwnFullForward() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray vectors = LitActivations.read(model, List.of(example.read()), READ_LAYER, null, false, manager);
            List<LitWrite> writes = writes();
            for (String adapter : new String[]{null, "random"}) {
                for (NDArray patched : new NDArray[]{vectors, null}) {
                    double[] shared = LitChoiceScorer.logLikelihoods(model, writes, patched, WRITE_LAYER, adapter, manager);
                    for (int i = 0; i < writes.size(); i++) {
                        LitLoss.Result full = LitLoss.evaluate(model, List.of(writes.get(i)), patched, WRITE_LAYER,
                                LabelKind.ANSWER_ONLY, adapter, false, manager);
                        double expected = -full.exampleLosses().getFloat(0) * full.targets().total();
                        String what = "adapter " + adapter + ", patched " + (patched != null) + ", answer " + i;
                        System.out.printf("%-40s shared %.5f full %.5f%n", what, shared[i], expected);
                        assertEquals(expected, shared[i], 1e-4 * Math.abs(expected) + 1e-3, what);
                    }
                }
            }
            // the patch and the adapter both matter, so the comparison above covers their paths
            double[] base = LitChoiceScorer.logLikelihoods(model, writes, vectors, WRITE_LAYER, null, manager);
            double[] blind = LitChoiceScorer.logLikelihoods(model, writes, null, WRITE_LAYER, null, manager);
            double[] adapted = LitChoiceScorer.logLikelihoods(model, writes, vectors, WRITE_LAYER, "random", manager);
            assertNotEquals(base[0], blind[0], 1e-3);
            assertNotEquals(base[0], adapted[0], 1e-3);
        }
    }

    @Test
    void answersToDifferentReadsAreRefused() {
        LitWrite one = builder.write(3, "Q?", "a");
        LitWrite other = builder.write(4, "Q?", "a");
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class,
                    () -> LitChoiceScorer.logLikelihoods(model, List.of(one, other), null, WRITE_LAYER, null, manager));
        }
    }

    /** The reference answer first, then answers of different lengths. */
    private static List<LitWrite> writes() {
        int n = example.read().vectorCount();
        String question = systemCase.get("question").asText();
        List<String> answers = new java.util.ArrayList<>();
        answers.add(systemCase.get("answer").asText());
        answers.addAll(OTHER_ANSWERS);
        return answers.stream().map(a -> builder.write(n, question, a)).toList();
    }

    private static Adapter randomAdapter(String name, long seed) {
        Random random = new Random(seed);
        LoraConfig config = LoraConfig.of(4, 8f, 0f, LoraConfig.ALL_LINEAR_AND_HEAD);
        return Adapter.fromTensors(name, config, model.config(), DataType.FLOAT32, (tensor, shape) -> {
            float[] v = new float[(int) (shape[0] * shape[1])];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * (tensor.contains("lora_A") ? 0.1 : 0.02));
            }
            return v;
        });
    }
}
