package io.latentqa.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.ResidualPatch;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.Stories260k;
import io.latentqa.core.model.TokenBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generation loop on stories260K: cache vs full forward, batching, patches, sampling. */
class GeneratorTest {

    private static Llama model;

    @BeforeAll
    static void load() {
        model = Stories260k.load(DataType.FLOAT32);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyTokensAndLogProbsEqualAFullForwardOverTheResult() {
        int[] prompt = Stories260k.story(7);
        Generation g = new Generator(model).generate(List.of(prompt), GenerationSettings.greedy(20, Set.of())).get(0);
        assertEquals(20, g.tokens().length);
        assertEquals(Generation.StopReason.MAX_TOKENS, g.stopReason());
        float[][] logProbs = fullForwardLogProbs(prompt, g.tokens(), List.of());
        for (int i = 0; i < g.tokens().length; i++) {
            assertEquals(argmax(logProbs[i]), g.tokens()[i], "token " + i);
            assertEquals(logProbs[i][g.tokens()[i]], g.logProbs()[i], 1e-4f, "log-prob " + i);
        }
    }

    @Test
    void patchingThePrefillEqualsPatchingAFullForward() {
        int[] prompt = Stories260k.story(10);
        int[][] positions = {{3, 4, 5}};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray vectors = m.randomNormal(0, 2, new Shape(3, 64), DataType.FLOAT32);
            List<ResidualPatch> patches = List.of(ResidualPatch.replace(0, positions, vectors));
            Generation plain = new Generator(model).generate(List.of(prompt), GenerationSettings.greedy(12, Set.of())).get(0);
            Generation patched = new Generator(model).generate(List.of(prompt), GenerationSettings.greedy(12, Set.of()), null, patches).get(0);
            assertFalse(Arrays.equals(plain.tokens(), patched.tokens()), "the patch should change the story");
            // a cache-less forward over prompt + generated tokens, patched at the same prompt positions
            float[][] logProbs = fullForwardLogProbs(prompt, patched.tokens(), patches);
            for (int i = 0; i < patched.tokens().length; i++) {
                assertEquals(argmax(logProbs[i]), patched.tokens()[i], "token " + i);
                assertEquals(logProbs[i][patched.tokens()[i]], patched.logProbs()[i], 1e-4f, "log-prob " + i);
            }
        }
    }

    @Test
    void aLeftPaddedBatchGeneratesWhatEachPromptGeneratesAlone() {
        List<int[]> prompts = List.of(Stories260k.story(3), Stories260k.story(17), Arrays.copyOfRange(Stories260k.story(30), 12, 20));
        GenerationSettings settings = GenerationSettings.greedy(25, Set.of(1));
        List<Generation> batched = new Generator(model).generate(prompts, settings);
        for (int b = 0; b < prompts.size(); b++) {
            Generation alone = new Generator(model).generate(List.of(prompts.get(b)), settings).get(0);
            assertArrayEquals(alone.tokens(), batched.get(b).tokens(), "row " + b);
            assertEquals(alone.stopReason(), batched.get(b).stopReason());
            assertArrayEquals(alone.logProbs(), batched.get(b).logProbs(), 1e-4f);
        }
    }

    @Test
    void samplingIsDeterministicForASeedAndStopsAtStopTokens() {
        List<int[]> prompts = List.of(Stories260k.story(4), Stories260k.story(4));
        GenerationSettings settings = GenerationSettings.sampling(40, 1.0f, 0.9f, 1234, Set.of(1));
        Generator generator = new Generator(model);
        List<Generation> first = generator.generate(prompts, settings);
        List<Generation> again = generator.generate(prompts, settings);
        assertEquals(first, again);
        // rows use seed + row: two identical prompts get different stories
        assertFalse(Arrays.equals(first.get(0).tokens(), first.get(1).tokens()));
        List<Generation> other = generator.generate(prompts, GenerationSettings.sampling(40, 1.0f, 0.9f, 99, Set.of(1)));
        assertFalse(Arrays.equals(first.get(0).tokens(), other.get(0).tokens()));
        for (Generation g : first) {
            int[] t = g.tokens();
            boolean stopped = g.stopReason() == Generation.StopReason.STOP_TOKEN;
            assertEquals(stopped, t[t.length - 1] == 1);
            assertTrue(IntStream.of(Arrays.copyOf(t, t.length - 1)).noneMatch(x -> x == 1), "nothing after a stop token");
        }
    }

    @Test
    void topPSamplerKeepsToTheNucleus() {
        float[] logits = {0f, 5f, 4.5f, -3f, 1f};
        // probabilities ~ 0.004, 0.61, 0.37, 0.0002, 0.01: top-p 0.9 keeps tokens 1 and 2
        TopPSampler sampler = new TopPSampler(1f, 0.9f);
        java.util.Random random = new java.util.Random(5);
        int[] counts = new int[5];
        for (int i = 0; i < 2000; i++) {
            counts[sampler.sample(logits, random)]++;
        }
        assertEquals(0, counts[0] + counts[3] + counts[4]);
        assertTrue(counts[1] > counts[2] && counts[2] > 500, Arrays.toString(counts));
        assertEquals(1, Sampler.ARGMAX.sample(logits, random));
    }

    /** Log-softmax of the logits that predict each generated token, from one cache-less forward. */
    private static float[][] fullForwardLogProbs(int[] prompt, int[] generated, List<ResidualPatch> patches) {
        int[] all = IntStream.concat(IntStream.of(prompt), IntStream.of(Arrays.copyOf(generated, generated.length - 1))).toArray();
        int[] predicting = IntStream.range(prompt.length - 1, all.length).toArray();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = model.forward(ForwardRequest.builder().setTokens(TokenBatch.of(all))
                    .optLogits(RowPositions.at(new int[][] {predicting})).optPatches(patches).build(), m).logits();
            float[] flat = logits.logSoftmax(-1).toFloatArray();
            int vocab = model.config().vocabSize();
            float[][] rows = new float[predicting.length][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
            }
            return rows;
        }
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
