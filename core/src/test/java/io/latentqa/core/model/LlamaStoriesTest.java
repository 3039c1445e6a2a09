package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consistency of the forward pass on stories260K: the KV cache, left padding, position selection,
 * early stopping and patches must not change the numbers. Float32: where the summation order
 * legitimately differs (matmuls of other shapes) the tolerance is 1e-5 relative to the largest
 * magnitude compared, i.e. a few dozen ulps; where it does not, equality is exact.
 */
class LlamaStoriesTest {

    private static final float TOLERANCE = 1e-5f;
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
    void configIsReadFromTheHeader() {
        LlamaConfig c = model.config();
        assertEquals(64, c.dim());
        assertEquals(172, c.hiddenDim());
        assertEquals(5, c.nLayers());
        assertEquals(8, c.nHeads());
        assertEquals(4, c.nKvHeads());
        assertEquals(512, c.vocabSize());
        assertEquals(512, c.contextLength());
        assertTrue(c.tiedEmbeddings());
    }

    @Test
    void decodingWithTheCacheEqualsOneFullForward() {
        int[] tokens = Stories260k.story(20);
        try (NDManager m = NDManager.newBaseManager(); KvCache cache = model.newCache(1, 20)) {
            float[] full = model.forward(ForwardRequest.logits(TokenBatch.of(tokens), RowPositions.all()), m).logits().toFloatArray();
            int vocab = model.config().vocabSize();
            // prefill 8 tokens, then one token per call
            ForwardRequest prefill = ForwardRequest.builder().setTokens(TokenBatch.of(java.util.Arrays.copyOf(tokens, 8)))
                    .optLogits(RowPositions.all()).optCache(cache).build();
            float[] first = model.forward(prefill, m).logits().toFloatArray();
            assertClose(slice(full, 0, 8 * vocab), first, TOLERANCE, "prefill");
            for (int t = 8; t < 20; t++) {
                ForwardRequest step = ForwardRequest.builder().setTokens(TokenBatch.of(new int[] {tokens[t]}))
                        .optLogits(RowPositions.last()).optCache(cache).build();
                float[] logits = model.forward(step, m).logits().toFloatArray();
                assertClose(slice(full, t * vocab, vocab), logits, TOLERANCE, "decode step at position " + t);
            }
            assertEquals(20, cache.length());
        }
    }

    @Test
    void leftPaddedBatchEqualsRowsOneByOne() {
        int[][] rows = {Stories260k.story(5), Stories260k.story(20), java.util.Arrays.copyOfRange(Stories260k.story(30), 11, 23)};
        int[][] everyPosition = new int[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            everyPosition[b] = java.util.stream.IntStream.range(0, rows[b].length).toArray();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            ForwardResult batched = model.forward(ForwardRequest.builder().setTokens(TokenBatch.of(rows))
                    .optLogits(RowPositions.at(everyPosition)).optRead(1, 4).optReadPositions(RowPositions.at(everyPosition)).build(), m);
            float[] logits = batched.logits().toFloatArray();
            float[] residual = batched.residual(1).toFloatArray();
            int vocab = model.config().vocabSize();
            int dim = model.config().dim();
            int offset = 0;
            for (int[] row : rows) {
                ForwardResult single = model.forward(ForwardRequest.builder().setTokens(TokenBatch.of(row))
                        .optLogits(RowPositions.all()).optRead(1).build(), m);
                assertClose(single.logits().toFloatArray(), slice(logits, offset * vocab, row.length * vocab), TOLERANCE, "logits");
                assertClose(single.residual(1).toFloatArray(), slice(residual, offset * dim, row.length * dim), TOLERANCE, "residual 1");
                offset += row.length;
            }
        }
    }

    @Test
    void selectedPositionsAreRowsOfAllPositions() {
        int[][] rows = {Stories260k.story(7), Stories260k.story(12)};
        try (NDManager m = NDManager.newBaseManager()) {
            TokenBatch batch = TokenBatch.of(rows);
            NDArray all = model.forward(ForwardRequest.read(batch, List.of(2), RowPositions.all()), m).residual(2); // (2, 12, 64)
            NDArray last = model.forward(ForwardRequest.read(batch, List.of(2), RowPositions.last()), m).residual(2);
            NDArray at = model.forward(ForwardRequest.read(batch, List.of(2), RowPositions.at(new int[][] {{0, 6}, {3}})), m).residual(2);
            assertEquals(new Shape(2, 12, 64), all.getShape());
            assertEquals(new Shape(2, 64), last.getShape());
            assertEquals(new Shape(3, 64), at.getShape());
            // row 0 is padded by 5: its token 0 is column 5
            assertArrayEquals(all.get("0, 5").toFloatArray(), at.get(0).toFloatArray());
            assertArrayEquals(all.get("0, 11").toFloatArray(), at.get(1).toFloatArray());
            assertArrayEquals(all.get("1, 3").toFloatArray(), at.get(2).toFloatArray());
            assertArrayEquals(all.get(":, 11").toFloatArray(), last.toFloatArray());
        }
    }

    @Test
    void readingStopsEarlyWithoutChangingTheResidual() {
        TokenBatch batch = TokenBatch.of(Stories260k.story(9));
        try (NDManager m = NDManager.newBaseManager()) {
            ForwardRequest early = ForwardRequest.read(batch, List.of(1), RowPositions.all());
            assertEquals(1, early.lastLayer(5));
            float[] shallow = model.forward(early, m).residual(1).toFloatArray();
            float[] deep = model.forward(ForwardRequest.builder().setTokens(batch).optRead(1)
                    .optLogits(RowPositions.last()).build(), m).residual(1).toFloatArray();
            assertArrayEquals(deep, shallow);
        }
    }

    @Test
    void replacePatchWritesTheVectorsAndLeavesEarlierPositionsAlone() {
        TokenBatch batch = TokenBatch.of(Stories260k.story(6), Stories260k.story(10));
        int[][] positions = {{2}, {4, 7}};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray vectors = m.randomNormal(new Shape(3, 64));
            ForwardResult plain = model.forward(ForwardRequest.builder().setTokens(batch).optRead(1, 3)
                    .optLogits(RowPositions.all()).build(), m);
            ForwardResult patched = model.forward(ForwardRequest.builder().setTokens(batch).optRead(1, 3)
                    .optLogits(RowPositions.all()).optPatch(ResidualPatch.replace(1, positions, vectors)).build(), m);
            // the stream after block 1 holds exactly the vectors at the patched positions (row 0 is padded by 4)
            NDArray after = patched.residual(1);
            assertArrayEquals(vectors.get(0).toFloatArray(), after.get("0, 6").toFloatArray());
            assertArrayEquals(vectors.get(1).toFloatArray(), after.get("1, 4").toFloatArray());
            assertArrayEquals(vectors.get(2).toFloatArray(), after.get("1, 7").toFloatArray());
            // causal: positions before the first patched one see no change, at any depth
            assertArrayEquals(plain.residual(3).get("0, 4:6").toFloatArray(), patched.residual(3).get("0, 4:6").toFloatArray());
            assertArrayEquals(plain.logits().get("1, :4").toFloatArray(), patched.logits().get("1, :4").toFloatArray());
            // and later positions do change
            assertTrue(maxAbsDiff(plain.logits().get("1, 9").toFloatArray(), patched.logits().get("1, 9").toFloatArray()) > 1e-3);
        }
    }

    @Test
    void patchesOutsideTheModelAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray vectors = m.zeros(new Shape(1, 64));
            ForwardRequest request = ForwardRequest.builder().setTokens(TokenBatch.of(Stories260k.story(4)))
                    .optPatch(ResidualPatch.replace(5, new int[][] {{1}}, vectors)).build();
            assertThrows(IllegalArgumentException.class, () -> model.forward(request, m));
            ForwardRequest outside = ForwardRequest.builder().setTokens(TokenBatch.of(Stories260k.story(4)))
                    .optPatch(ResidualPatch.replace(1, new int[][] {{4}}, vectors)).build();
            assertThrows(IllegalArgumentException.class, () -> model.forward(outside, m));
        }
    }

    static float[] slice(float[] values, int from, int length) {
        return java.util.Arrays.copyOfRange(values, from, from + length);
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "lengths");
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** max |expected - actual| <= tolerance * max(1, max |expected|): float32 rounding scales with the values. */
    static void assertClose(float[] expected, float[] actual, float tolerance, String what) {
        float diff = maxAbsDiff(expected, actual);
        float scale = 1f;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        assertTrue(diff <= tolerance * scale, what + ": max |difference| " + diff + " > " + tolerance + " x " + scale);
    }

    static float[] randomVector(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
