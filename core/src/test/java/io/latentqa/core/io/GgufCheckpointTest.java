package io.latentqa.core.io;

import io.latentqa.core.SharedFiles;
import io.latentqa.core.model.LlamaConfig;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufCheckpointTest {

    @Test
    void smolLm2ConfigComesFromTheMetadata() {
        try (GgufCheckpoint checkpoint = GgufCheckpoint.open(GgufFileTest.smolLm2Gguf())) {
            LlamaConfig expected = new LlamaConfig(576, 1536, 30, 9, 3, 49152, 8192, 9.999999747378752e-06f, 100000f,
                    LlamaConfig.RopeStyle.HALF_SPLIT, true);
            assertEquals(expected, checkpoint.config());
            assertEquals(272, checkpoint.names().size());
            assertFalse(checkpoint.names().contains(TensorNames.LM_HEAD), "tied: no lm_head");
            assertArrayEquals(new long[] {49152, 576}, checkpoint.shape(TensorNames.EMBED));
            assertArrayEquals(new long[] {576, 576}, checkpoint.shape("model.layers.0.self_attn.q_proj.weight"));
            assertArrayEquals(new long[] {192, 576}, checkpoint.shape("model.layers.29.self_attn.k_proj.weight"));
            assertArrayEquals(new long[] {1536, 576}, checkpoint.shape("model.layers.3.mlp.gate_proj.weight"));
            assertArrayEquals(new long[] {576, 1536}, checkpoint.shape("model.layers.3.mlp.down_proj.weight"));
            assertArrayEquals(new long[] {576}, checkpoint.shape(TensorNames.NORM));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> checkpoint.read(TensorNames.LM_HEAD));
            assertTrue(e.getMessage().contains("tied"), e.getMessage());
        }
    }

    @Test
    void namesMapBothWays() {
        assertEquals("model.layers.12.self_attn.o_proj.weight", TensorNames.ggufToHf("blk.12.attn_output.weight"));
        assertEquals("model.layers.0.post_attention_layernorm.weight", TensorNames.ggufToHf("blk.0.ffn_norm.weight"));
        assertEquals(TensorNames.EMBED, TensorNames.ggufToHf("token_embd.weight"));
        assertEquals(TensorNames.LM_HEAD, TensorNames.ggufToHf("output.weight"));
        assertEquals(null, TensorNames.ggufToHf("rope_freqs.weight"));
        for (TensorNames.LayerTensor t : TensorNames.LayerTensor.values()) {
            assertEquals(t.hf(7), TensorNames.ggufToHf(t.gguf(7)));
            assertEquals(t.gguf(7), TensorNames.hfToGguf(t.hf(7)));
            assertEquals(t, TensorNames.layerTensor(t.hf(7)));
        }
        assertEquals("output_norm.weight", TensorNames.hfToGguf(TensorNames.NORM));
    }

    @Test
    void unpermuteUndoesLlamaCppPermuteOnATinyMatrix() {
        // one head of size 4, one column: Hugging Face rows [r0 r1 r2 r3] pair (r0, r2), (r1, r3);
        // llama.cpp stores them as adjacent pairs: [r0 r2 r1 r3]
        float[] hf = {0, 1, 2, 3};
        assertArrayEquals(new float[] {0, 2, 1, 3}, GgufCheckpoint.permuteRows(hf, 1, 1));
        assertArrayEquals(hf, GgufCheckpoint.unpermuteRows(new float[] {0, 2, 1, 3}, 1, 1));
        // two heads of size 6, two columns: llama.cpp's reshape(2, 2, 3, 2).swapaxes(1, 2), worked by hand
        float[] w = new float[24];
        for (int i = 0; i < 24; i++) {
            w[i] = i;
        }
        float[] expected = {0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11, 12, 13, 18, 19, 14, 15, 20, 21, 16, 17, 22, 23};
        assertArrayEquals(expected, GgufCheckpoint.permuteRows(w, 2, 2));
        assertArrayEquals(w, GgufCheckpoint.unpermuteRows(expected, 2, 2));
    }

    @Test
    void unpermuteIsTheInverseOfPermute() {
        Random random = new Random(7);
        for (int[] shape : new int[][] {{9, 64, 576}, {3, 64, 576}, {4, 8, 3}, {1, 2, 5}}) {
            int heads = shape[0];
            int cols = shape[2];
            float[] w = new float[heads * shape[1] * cols];
            for (int i = 0; i < w.length; i++) {
                w[i] = random.nextFloat();
            }
            assertArrayEquals(w, GgufCheckpoint.unpermuteRows(GgufCheckpoint.permuteRows(w, heads, cols), heads, cols));
            assertArrayEquals(w, GgufCheckpoint.permuteRows(GgufCheckpoint.unpermuteRows(w, heads, cols), heads, cols));
        }
    }

    @Test
    void qAndKAreUnpermutedPerHeadAndOthersAreNot() {
        try (GgufCheckpoint checkpoint = GgufCheckpoint.open(GgufFileTest.smolLm2Gguf())) {
            GgufFile gguf = checkpoint.gguf();
            float[] storedK = gguf.dequantize("blk.0.attn_k.weight");
            float[] k = checkpoint.read("model.layers.0.self_attn.k_proj.weight");
            // head 2 (rows 128..191): stored row 128 + 2*5 + 1 is Hugging Face row 128 + 5 + 32
            for (int col = 0; col < 576; col++) {
                assertEquals(storedK[(128 + 11) * 576 + col], k[(128 + 37) * 576 + col]);
                assertEquals(storedK[(128 + 10) * 576 + col], k[(128 + 5) * 576 + col]);
            }
            assertArrayEquals(gguf.dequantize("blk.0.attn_v.weight"), checkpoint.read("model.layers.0.self_attn.v_proj.weight"));
        }
    }

    /**
     * The strongest check of this loader: embedding and block 0 computed in plain Java from the
     * dequantized, un-permuted weights reproduce the residual stream after block 0 that Hugging Face
     * transformers computed from the same GGUF (its own dequantizer), within the reference tolerance
     * per row: max |diff| ≤ 1e-4 × max |ref row| + 1e-3.
     */
    @Test
    void blockZeroReproducesTheTransformersResidual() {
        try (GgufCheckpoint checkpoint = GgufCheckpoint.open(GgufFileTest.smolLm2Gguf());
             SafetensorsFile reference = SafetensorsFile.open(SharedFiles.smollm2Dir().resolve("reference/reference.safetensors"))) {
            for (String chat : new String[] {"pirate_system", "default_system"}) {
                int[] ids = reference.readInts("chat." + chat + ".ids");
                float[] expected = reference.readFloats("chat." + chat + ".residual.0");
                double[][] actual = BlockZeroReference.residualAfterBlock0(checkpoint, ids);
                double worst = 0;
                for (int p = 0; p < ids.length; p++) {
                    double rowMax = 0;
                    double diff = 0;
                    for (int i = 0; i < 576; i++) {
                        rowMax = Math.max(rowMax, Math.abs(expected[p * 576 + i]));
                        diff = Math.max(diff, Math.abs(expected[p * 576 + i] - actual[p][i]));
                    }
                    double tolerance = 1e-4 * rowMax + 1e-3;
                    assertTrue(diff <= tolerance, chat + " position " + p + ": max diff " + diff + " > " + tolerance);
                    worst = Math.max(worst, diff / tolerance);
                }
                System.out.printf("block 0 residual, %s: worst diff = %.3f of the tolerance%n", chat, worst);
            }
        }
    }
}
