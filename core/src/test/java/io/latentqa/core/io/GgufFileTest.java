package io.latentqa.core.io;

import io.latentqa.core.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import static io.latentqa.core.io.GgufTestFiles.array;
import static io.latentqa.core.io.GgufTestFiles.le;
import static io.latentqa.core.io.GgufTestFiles.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufFileTest {

    static Path smolLm2Gguf() {
        return SharedFiles.smollm2Dir().resolve("SmolLM2-135M-Instruct.Q4_1.gguf");
    }

    @Test
    void everyMetadataTypeAndTensorOfAHandWrittenFileIsRead(@TempDir Path dir) {
        for (int version : new int[] {2, 3}) {
            byte[] q8 = new byte[34];
            q8[0] = 0x00;
            q8[1] = 0x38;                   // d = 0.5
            q8[2] = 4;                      // weight 0 = 2.0
            GgufTestFiles file = new GgufTestFiles(version, 64)
                    .kv("u8", 0, le(1, 200)).kv("i8", 1, le(1, -3)).kv("u16", 2, le(2, 60000)).kv("i16", 3, le(2, -300))
                    .kvU32("u32", 4_000_000_000L).kv("i32", 5, le(4, -7)).kvF32("f32", 1.25f).kv("bool", 7, le(1, 1))
                    .kvString("str", "héllo").kv("u64", 10, le(8, 1L << 40)).kv("i64", 11, le(8, -5))
                    .kv("f64", 12, le(8, Double.doubleToLongBits(2.5)))
                    .kvStrings("strings", "a", "ü", "")
                    .kvInts("ints", 3, -1)
                    .kv("bytes", 9, array(0, 2, le(1, 255), le(1, 1)))
                    .kv("nested", 9, array(9, 1, array(5, 2, le(4, 1), le(4, 2))))
                    .kvU32("general.alignment", 64)
                    .tensor("w", new long[] {3, 2}, GgmlType.F32, GgufTestFiles.f32(1, 2, 3, 4, 5, 6))
                    .tensor("q", new long[] {32}, GgmlType.Q8_0, q8);
            try (GgufFile gguf = GgufFile.open(file.write(dir.resolve("t" + version + ".gguf")))) {
                assertEquals(version, gguf.version());
                assertEquals(200, gguf.getInt("u8"));
                assertEquals(-3, gguf.getInt("i8"));
                assertEquals(60000, gguf.getInt("u16"));
                assertEquals(-300, gguf.getInt("i16"));
                assertEquals(4_000_000_000L, gguf.getLong("u32"));
                assertEquals(-7, gguf.getInt("i32"));
                assertEquals(1.25f, gguf.getFloat("f32"));
                assertEquals(true, gguf.getBoolean("bool", false));
                assertEquals("héllo", gguf.getString("str"));
                assertEquals(1L << 40, gguf.getLong("u64"));
                assertEquals(-5, gguf.getInt("i64"));
                assertEquals(2.5f, gguf.getFloat("f64"));
                assertArrayEquals(new String[] {"a", "ü", ""}, gguf.getStringArray("strings"));
                assertArrayEquals(new int[] {3, -1}, gguf.getIntArray("ints"));
                assertArrayEquals(new int[] {255, 1}, gguf.getIntArray("bytes"), "u8 arrays read unsigned");
                assertArrayEquals(new int[] {1, 2}, (int[]) ((Object[]) gguf.metadata().get("nested"))[0]);
                assertEquals(GgufFile.ValueType.UINT32, gguf.metadataType("u32"));
                assertEquals(64, gguf.alignment());
                assertEquals(0, gguf.dataOffset() % 64);
                assertArrayEquals(new long[] {2, 3}, gguf.tensor("w").shape(), "row-major shape is dims reversed");
                assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, gguf.dequantize("w"));
                assertEquals(2.0f, gguf.dequantize("q")[0]);
                assertEquals(gguf.dataOffset() + 64, gguf.tensor("q").offset());
                assertThrows(IllegalArgumentException.class, () -> gguf.getString("missing"));
                assertThrows(IllegalArgumentException.class, () -> gguf.getString("u8"));
            }
        }
    }

    @Test
    void brokenFilesFailWithAClearMessage(@TempDir Path dir) throws Exception {
        Path notGguf = dir.resolve("x.gguf");
        Files.write(notGguf, new byte[] {'G', 'G', 'M', 'L', 3, 0, 0, 0});
        assertMessage(notGguf, "not a GGUF file");
        Path v1 = new GgufTestFiles(1, 32).write(dir.resolve("v1.gguf"));
        assertMessage(v1, "version 1");
        byte[] full = new GgufTestFiles(3, 32).kvString("general.architecture", "llama")
                .tensor("w", new long[] {4}, GgmlType.F32, GgufTestFiles.f32(1, 2, 3, 4)).bytes();
        Path truncated = dir.resolve("cut.gguf");
        Files.write(truncated, Arrays.copyOf(full, full.length - 20)); // 16 data bytes + 16 padding: cut into the data
        assertMessage(truncated, "past the end");
        Path cutHeader = dir.resolve("cuth.gguf");
        Files.write(cutHeader, Arrays.copyOf(full, 40));
        assertMessage(cutHeader, "truncated");
        Path badBlock = new GgufTestFiles(3, 32).tensor("q", new long[] {16}, GgmlType.Q8_0, new byte[34]).write(dir.resolve("b.gguf"));
        assertMessage(badBlock, "block size");
    }

    private static void assertMessage(Path file, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgufFile.open(file).close());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void smolLm2HeaderHasTheDocumentedFacts() {
        try (GgufFile gguf = GgufFile.open(smolLm2Gguf())) {
            assertEquals(3, gguf.version());
            assertEquals(33, gguf.metadata().size());
            assertEquals(272, gguf.tensors().size());
            assertEquals("llama", gguf.getString("general.architecture"));
            assertEquals(30, gguf.getInt("llama.block_count"));
            assertEquals(576, gguf.getInt("llama.embedding_length"));
            assertEquals(100000f, gguf.getFloat("llama.rope.freq_base"));
            assertEquals(49152, gguf.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(48900, gguf.getStringArray("tokenizer.ggml.merges").length);
            assertEquals("smollm", gguf.getString("tokenizer.ggml.pre"));
            Map<GgmlType, Integer> counts = new EnumMap<>(GgmlType.class);
            gguf.tensors().values().forEach(t -> counts.merge(t.type(), 1, Integer::sum));
            assertEquals(Map.of(GgmlType.Q4_1, 210, GgmlType.Q8_0, 1, GgmlType.F32, 61), counts);
            assertArrayEquals(new long[] {576, 49152}, gguf.tensor("token_embd.weight").dims());
            assertEquals(false, gguf.tensors().containsKey("output.weight"), "tied embeddings");
        }
    }

    /**
     * Spot check on the real file, derived by hand from the raw block bytes (not through GgmlType):
     * token_embd is Q8_0, so the k-th weight of row r sits in block (r·576 + k) / 32, 34 bytes each:
     * a half scale d, then 32 int8; the weight is int8 · d. blk.0.attn_q is Q4_1, 20 bytes a block:
     * half d, half m, 16 bytes; weight j < 16 is the low nibble of byte j, weight j ≥ 16 the high
     * nibble of byte j − 16, and the weight is q · d + m.
     */
    @Test
    void smolLm2WeightsMatchTheirRawBlocks() {
        try (GgufFile gguf = GgufFile.open(smolLm2Gguf())) {
            float[] embedding = gguf.dequantize("token_embd.weight");
            ByteBuffer raw = gguf.rawData("token_embd.weight");
            for (int row : new int[] {0, 1, 2, 9148, 49151}) {
                for (int k : new int[] {0, 1, 31, 32, 300, 575}) {
                    int index = row * 576 + k;
                    int block = index / 32;
                    float d = Float16.halfToFloat(raw.getShort(block * 34));
                    byte q = raw.get(block * 34 + 2 + index % 32);
                    assertEquals(q * d, embedding[index], "token_embd[" + row + "][" + k + "]");
                }
            }
            float[] wq = gguf.dequantize("blk.0.attn_q.weight");
            ByteBuffer rawQ = gguf.rawData("blk.0.attn_q.weight");
            for (int index : new int[] {0, 5, 16, 31, 577, 576 * 576 - 1}) {
                int block = index / 32;
                int j = index % 32;
                float d = Float16.halfToFloat(rawQ.getShort(block * 20));
                float m = Float16.halfToFloat(rawQ.getShort(block * 20 + 2));
                int packed = rawQ.get(block * 20 + 4 + j % 16) & 0xFF;
                int q = j < 16 ? packed & 0xF : packed >> 4;
                assertEquals(q * d + m, wq[index], "attn_q[" + index + "]");
            }
            // plausibility: embeddings are small numbers, norms are F32 and near 1 in scale
            double sumSquares = 0;
            for (float v : embedding) {
                sumSquares += v * v;
            }
            double rms = Math.sqrt(sumSquares / embedding.length);
            assertTrue(rms > 0.01 && rms < 1, "embedding rms " + rms);
            assertEquals(576, gguf.dequantize("output_norm.weight").length);
        }
    }
}
