package io.latentqa.core.lit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** LitLoss bookkeeping and arithmetic against a hand computation (no model). */
class LitLossMathTest {

    private static final int I = LitWrite.IGNORE;

    @Test
    void targetsApplyTheCausalShift() {
        // row 0: labels at 2 and 3 -> logits at 1 and 2; row 1: label at 1 -> logit at 0
        LitLoss.Targets t = LitLoss.targets(List.of(new int[]{I, I, 7, 8}, new int[]{I, 9, I}));
        assertArrayEquals(new int[]{1, 2}, t.positions()[0]);
        assertArrayEquals(new int[]{0}, t.positions()[1]);
        assertArrayEquals(new long[]{7, 8, 9}, t.targetIds());
        assertArrayEquals(new int[]{2, 1}, t.counts());
        assertEquals(3, t.total());
    }

    @Test
    void rowWithoutLossIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> LitLoss.targets(List.of(new int[]{5, I, I})));
    }

    @Test
    void lossesEqualTheHandComputation() {
        // V = 3; logits for N = 3 loss tokens, targets 0, 2 (row 0) and 1 (row 1)
        float[][] logits = {{1, 2, 3}, {0, 0, 0}, {-1, 4, 0.5f}};
        long[] targets = {0, 2, 1};
        double[] logp = new double[3];
        for (int i = 0; i < 3; i++) {
            double z = 0;
            for (float v : logits[i]) {
                z += Math.exp(v);
            }
            logp[i] = logits[i][(int) targets[i]] - Math.log(z);
        }
        LitLoss.Targets t = new LitLoss.Targets(new int[][]{{0, 1}, {0}}, targets, new int[]{2, 1});
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray array = manager.create(new float[]{1, 2, 3, 0, 0, 0, -1, 4, 0.5f}, new Shape(3, 3));
            LitLoss.Result r = LitLoss.compute(array, t);
            float[] lp = r.tokenLogProbs().toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(logp[i], lp[i], 1e-6);
            }
            assertEquals(-(logp[0] + logp[1] + logp[2]) / 3, r.batchLoss().getFloat(), 1e-6);
            float[] perExample = r.exampleLosses().toFloatArray();
            assertEquals(-(logp[0] + logp[1]) / 2, perExample[0], 1e-6);
            assertEquals(-logp[2], perExample[1], 1e-6);
        }
    }
}
