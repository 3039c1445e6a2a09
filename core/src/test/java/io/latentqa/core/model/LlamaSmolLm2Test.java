package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentqa.core.generate.Generation;
import io.latentqa.core.generate.GenerationSettings;
import io.latentqa.core.generate.Generator;
import io.latentqa.core.io.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SmolLM2-135M-Instruct (Q4_1 GGUF, dequantized to float32) against the values Hugging Face
 * transformers computed from the same file (reference.safetensors), with SOURCE.md's tolerances:
 * logits max-abs 1e-3; residuals per position max-abs <= 1e-4 x max|reference row| + 1e-3 (the
 * attention sink at position 0 has a norm ~100x the others); argmax and greedy tokens exact.
 * Each prompt is checked alone and all four in one left-padded batch.
 */
class LlamaSmolLm2Test {

    private static final float LOGIT_TOLERANCE = 1e-3f;
    private static Llama model;
    private static Map<String, int[]> ids;

    @BeforeAll
    static void load() {
        model = SmolLm2.model();
        ids = new HashMap<>();
        try (SafetensorsFile reference = SmolLm2.reference()) {
            for (String chat : SmolLm2.CHATS) {
                ids.put(chat, reference.readInts("chat." + chat + ".ids"));
            }
        }
    }

    @Test
    void eachPromptAloneMatchesTransformers() {
        try (SafetensorsFile reference = SmolLm2.reference()) {
            for (String chat : SmolLm2.CHATS) {
                try (NDManager m = NDManager.newBaseManager()) {
                    ForwardResult result = model.forward(ForwardRequest.builder().setTokens(TokenBatch.of(ids.get(chat)))
                            .optLogits(RowPositions.all()).optRead(SmolLm2.REFERENCE_LAYERS).build(), m);
                    int length = ids.get(chat).length;
                    checkResiduals(chat, reference, layer -> result.residual(layer).toFloatArray(), length);
                    checkLogits(chat, reference, result.logits().reshape(length, -1));
                }
            }
        }
    }

    @Test
    void allPromptsInOneLeftPaddedBatchMatchTransformers() {
        List<int[]> rows = SmolLm2.CHATS.stream().map(ids::get).toList();
        int[][] everyPosition = rows.stream().map(r -> IntStream.range(0, r.length).toArray()).toArray(int[][]::new);
        try (SafetensorsFile reference = SmolLm2.reference(); NDManager m = NDManager.newBaseManager()) {
            ForwardResult result = model.forward(ForwardRequest.builder().setTokens(TokenBatch.of(rows))
                    .optLogits(RowPositions.at(everyPosition)).optRead(SmolLm2.REFERENCE_LAYERS)
                    .optReadPositions(RowPositions.at(everyPosition)).build(), m);
            int offset = 0;
            for (String chat : SmolLm2.CHATS) {
                int length = ids.get(chat).length;
                int from = offset;
                checkResiduals(chat + " (batched)", reference,
                        layer -> result.residual(layer).get(from + ":" + (from + length)).toFloatArray(), length);
                checkLogits(chat + " (batched)", reference, result.logits().get(from + ":" + (from + length)));
                offset += length;
            }
        }
    }

    @Test
    void greedyTokensWithTheCacheMatchTransformersAloneAndBatched() {
        try (SafetensorsFile reference = SmolLm2.reference()) {
            Generator generator = new Generator(model);
            GenerationSettings greedy = GenerationSettings.greedy(32, Set.of(SmolLm2.IM_END));
            List<int[]> prompts = new ArrayList<>();
            for (String chat : SmolLm2.CHATS) {
                prompts.add(ids.get(chat));
                Generation alone = generator.generate(List.of(ids.get(chat)), greedy).get(0);
                assertArrayEquals(reference.readInts("chat." + chat + ".greedy32"), alone.tokens(), chat + " greedy32");
            }
            List<Generation> batched = generator.generate(prompts, greedy);
            for (int b = 0; b < prompts.size(); b++) {
                String chat = SmolLm2.CHATS.get(b);
                assertArrayEquals(reference.readInts("chat." + chat + ".greedy32"), batched.get(b).tokens(), chat + " greedy32 (batched)");
            }
        }
    }

    interface ResidualSource {
        float[] residual(int layer);
    }

    /** Per position: max |ours - ref| <= 1e-4 * max |ref row| + 1e-3. */
    static void checkResiduals(String what, SafetensorsFile reference, ResidualSource ours, int length) {
        for (int layer : SmolLm2.REFERENCE_LAYERS) {
            float[] expected = reference.readFloats("chat." + what.split(" ")[0] + ".residual." + layer);
            float[] actual = ours.residual(layer);
            int dim = expected.length / length;
            assertTrue(actual.length == expected.length, what + " residual " + layer + " has " + actual.length + " values");
            double worst = 0;
            for (int t = 0; t < length; t++) {
                float rowMax = 0;
                float diff = 0;
                for (int i = t * dim; i < (t + 1) * dim; i++) {
                    rowMax = Math.max(rowMax, Math.abs(expected[i]));
                    diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
                }
                float tolerance = 1e-4f * rowMax + 1e-3f;
                worst = Math.max(worst, diff / tolerance);
                assertTrue(diff <= tolerance, what + " residual after block " + layer + " position " + t + ": max |diff| "
                        + diff + " > " + tolerance);
            }
            System.out.printf("[stats] %s residual %d: worst diff / tolerance %.3f%n", what, layer, worst);
        }
    }

    /** Last-position logits within 1e-3, argmax at every position exact. logits: (T, V). */
    static void checkLogits(String what, SafetensorsFile reference, NDArray logits) {
        String chat = what.split(" ")[0];
        long length = logits.getShape().get(0);
        float[] last = logits.get(length - 1).toFloatArray();
        float[] expected = reference.readFloats("chat." + chat + ".logits_last");
        float diff = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(expected[i] - last[i]));
        }
        System.out.printf("[stats] %s logits_last max |diff| %.2e%n", what, diff);
        assertTrue(diff <= LOGIT_TOLERANCE, what + " logits_last: max |diff| " + diff + " > " + LOGIT_TOLERANCE);
        int[] argmax = logits.argMax(1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
        assertArrayEquals(reference.readInts("chat." + chat + ".argmax_all"), argmax, what + " argmax at every position");
    }
}
