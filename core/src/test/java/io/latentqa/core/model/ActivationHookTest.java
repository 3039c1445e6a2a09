package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Residual-stream writes, computed by hand on tiny tensors. */
class ActivationHookTest {

    @Test
    void addNormMatchedAddsTheVectorScaledToTheResidualNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            // two rows of 3 tokens, dim 3; row 0 is padded by one column
            TokenBatch batch = TokenBatch.of(new int[] {5, 6}, new int[] {7, 8, 9});
            NDArray h = m.create(new float[] {
                    9, 9, 9,    3, 4, 0,    1, 1, 1,       // row 0: pad, token 0, token 1
                    0, 0, 0,    2, 0, 0,    0, 0, 0},      // row 1
                    new Shape(2, 3, 3));
            NDArray v = m.create(new float[] {0, 0, 2, 0, -3, 4}, new Shape(2, 3));
            NDArray out = ActivationHook.write(h, batch, ResidualPatch.addNormMatched(0, new int[][] {{0}, {1}}, v));
            // row 0 token 0: h = (3,4,0), |h| = 5, v/|v| = (0,0,1) -> (3, 4, 5)
            // row 1 token 1: h = (2,0,0), |h| = 2, v/|v| = (0,-0.6,0.8) -> (2, -1.2, 1.6)
            assertArrayEquals(new float[] {
                    9, 9, 9,    3, 4, 5,    1, 1, 1,
                    0, 0, 0,    2, -1.2f, 1.6f,    0, 0, 0}, out.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void replaceWritesTheVectorsAtThePositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            TokenBatch batch = TokenBatch.of(new int[] {5}, new int[] {7, 8});
            NDArray h = m.create(new float[] {1, 1, 2, 2, 3, 3, 4, 4}, new Shape(2, 2, 2));
            NDArray v = m.create(new float[] {-1, -2, -3, -4}, new Shape(2, 2));
            NDArray out = ActivationHook.write(h, batch, ResidualPatch.replace(0, new int[][] {{0}, {0}}, v));
            assertArrayEquals(new float[] {1, 1, -1, -2, -3, -4, 4, 4}, out.toFloatArray());
        }
    }
}
