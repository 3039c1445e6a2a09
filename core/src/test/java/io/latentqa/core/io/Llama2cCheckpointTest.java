package io.latentqa.core.io;

import io.latentqa.core.model.LlamaConfig;
import io.latentqa.core.model.LlamaConfig.RopeStyle;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The llama2.c reader: header, file layout, and the q/k row permutation. */
class Llama2cCheckpointTest {

    private static Path stories() {
        return io.latentqa.core.SharedFiles.stories260kDir().resolve("stories260K.bin");
    }

    @Test
    void readsTheHeaderAndEveryTensorWithHuggingFaceNames() {
        try (Llama2cCheckpoint checkpoint = Llama2cCheckpoint.open(stories())) {
            LlamaConfig c = checkpoint.config();
            assertEquals(new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 1e-5f, 10000f, RopeStyle.HALF_SPLIT, true), c);
            // embedding + 9 per block + final norm; tied: no lm_head
            assertEquals(1 + 9 * 5 + 1, checkpoint.names().size());
            assertFalse(checkpoint.names().contains("lm_head.weight"));
            assertArrayEquals(new long[] {32, 64}, checkpoint.shape("model.layers.4.self_attn.k_proj.weight"));
            assertArrayEquals(new long[] {64, 172}, checkpoint.shape("model.layers.0.mlp.down_proj.weight"));
            // the parameter count SOURCE.md states: 260,032 weights without the frequency tables
            long total = 0;
            for (String name : checkpoint.names()) {
                total += checkpoint.read(name).length;
            }
            assertEquals(260_032, total);
        }
    }

    @Test
    void qAndKRowsAreUnpermutedPerHeadAndOtherTensorsKept() {
        try (Llama2cCheckpoint half = Llama2cCheckpoint.open(stories());
             Llama2cCheckpoint raw = Llama2cCheckpoint.openAdjacentPairs(stories())) {
            assertEquals(RopeStyle.ADJACENT_PAIRS, raw.config().ropeStyle());
            String q = "model.layers.2.self_attn.q_proj.weight";
            float[] file = raw.read(q);
            float[] hf = half.read(q);
            int cols = 64;
            int headSize = 8;
            // head 3, i = 1: file row 3*8 + 2 -> hf row 3*8 + 1; file row 3*8 + 3 -> hf row 3*8 + 4 + 1
            assertArrayEquals(row(file, 26, cols), row(hf, 25, cols));
            assertArrayEquals(row(file, 27, cols), row(hf, 29, cols));
            // a permutation: same multiset of rows, not the same order
            assertFalse(java.util.Arrays.equals(file, hf));
            float[] k = half.read("model.layers.2.self_attn.k_proj.weight");
            float[] kFile = raw.read("model.layers.2.self_attn.k_proj.weight");
            assertArrayEquals(row(kFile, headSize * 3 + 7, cols), row(k, headSize * 3 + 7, cols));
            assertArrayEquals(row(kFile, headSize * 3 + 6, cols), row(k, headSize * 3 + 3, cols));
            assertArrayEquals(raw.read("model.layers.2.self_attn.v_proj.weight"), half.read("model.layers.2.self_attn.v_proj.weight"));
            assertTrue(java.util.Arrays.equals(Llama2cCheckpoint.toHalfSplit(file, 8, cols), hf));
        }
    }

    private static float[] row(float[] matrix, int row, int cols) {
        return java.util.Arrays.copyOfRange(matrix, row * cols, (row + 1) * cols);
    }
}
