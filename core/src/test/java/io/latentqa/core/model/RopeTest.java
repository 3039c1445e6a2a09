package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.io.Llama2cCheckpoint;
import io.latentqa.core.model.LlamaConfig.RopeStyle;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rotary embeddings: a hand-computed rotation, and the equivalence of the two pairings. */
class RopeTest {

    @Test
    void rotatesOnePairByPositionTimesFrequency() {
        try (NDManager m = NDManager.newBaseManager()) {
            // head size 4: pairs rotate by pos * 1 and pos * theta^(-1/2); theta 100 -> 0.1
            Rope rope = new Rope(RopeStyle.HALF_SPLIT, 4, 100f);
            NDArray[] tables = rope.tables(new int[][] {{3}}, m, DataType.FLOAT32);
            // half-split layout: pair 0 = dims (0, 2), pair 1 = dims (1, 3)
            NDArray x = m.create(new float[] {1, 2, 0, 0}, new Shape(1, 1, 1, 4));
            float[] out = rope.apply(x, tables[0], tables[1]).toFloatArray();
            double a0 = 3.0;
            double a1 = 3.0 * 0.1;
            float[] expected = {(float) Math.cos(a0), (float) (2 * Math.cos(a1)), (float) Math.sin(a0), (float) (2 * Math.sin(a1))};
            assertArrayEquals(expected, out, 1e-6f);
        }
    }

    @Test
    void adjacentPairsOnPermutedRowsEqualHalfSplit() {
        int heads = 3;
        int headSize = 8;
        Random random = new Random(7);
        float[] x = LlamaStoriesTest.randomVector(random, 2 * 5 * heads * headSize);
        // permute each head's dims as the loaders permute q/k rows: 2i -> i, 2i+1 -> i + hs/2
        float[] permuted = halfSplitOrder(x, 2 * 5 * heads, 1, headSize);
        int[][] positions = {{0, 1, 2, 3, 4}, {0, 0, 7, 100, 4000}};
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 5, heads, headSize);
            Rope adjacent = new Rope(RopeStyle.ADJACENT_PAIRS, headSize, 10000f);
            Rope half = new Rope(RopeStyle.HALF_SPLIT, headSize, 10000f);
            NDArray[] ta = adjacent.tables(positions, m, DataType.FLOAT32);
            NDArray[] th = half.tables(positions, m, DataType.FLOAT32);
            float[] rotatedAdjacent = adjacent.apply(m.create(x, shape), ta[0], ta[1]).toFloatArray();
            float[] rotatedHalf = half.apply(m.create(permuted, shape), th[0], th[1]).toFloatArray();
            assertArrayEquals(halfSplitOrder(rotatedAdjacent, 2 * 5 * heads, 1, headSize), rotatedHalf, 1e-6f);
        }
    }

    @Test
    void modelWithAdjacentPairsOnFileRowsEqualsHalfSplitOnUnpermutedRows() {
        int[] tokens = Stories260k.story(24);
        try (Llama2cCheckpoint raw = Llama2cCheckpoint.openAdjacentPairs(Stories260k.checkpoint());
             Llama adjacent = Llama.load(raw, DataType.FLOAT32);
             Llama half = Stories260k.load(DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager()) {
            assertEquals(RopeStyle.ADJACENT_PAIRS, adjacent.config().ropeStyle());
            assertEquals(RopeStyle.HALF_SPLIT, half.config().ropeStyle());
            ForwardRequest request = ForwardRequest.builder().setTokens(TokenBatch.of(tokens)).optRead(2)
                    .optLogits(RowPositions.all()).build();
            ForwardResult a = adjacent.forward(request, m);
            ForwardResult h = half.forward(request, m);
            // same attention, so the same residual stream and logits up to float32 rounding
            LlamaStoriesTest.assertClose(a.residual(2).toFloatArray(), h.residual(2).toFloatArray(), 1e-5f, "residual 2");
            LlamaStoriesTest.assertClose(a.logits().toFloatArray(), h.logits().toFloatArray(), 1e-5f, "logits");
        }
    }

    /** Each head's dims reordered as the loaders reorder q/k rows: 2i -> i, 2i+1 -> i + hs/2. */
    private static float[] halfSplitOrder(float[] values, int headCount, int cols, int headSize) {
        float[] out = new float[values.length];
        int half = headSize / 2;
        for (int h = 0; h < headCount; h++) {
            for (int i = 0; i < half; i++) {
                int base = h * headSize;
                System.arraycopy(values, (base + 2 * i) * cols, out, (base + i) * cols, cols);
                System.arraycopy(values, (base + 2 * i + 1) * cols, out, (base + half + i) * cols, cols);
            }
        }
        return out;
    }
}
