package io.latentqa.core.io;

import io.latentqa.core.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {

    /** A file assembled byte by byte: header length, JSON header, data. */
    private static byte[] file(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json).put(data);
        return buffer.array();
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void handBuiltFileDecodesEachDtype() {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[12,20]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[20,24]},"
                + "\"s\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[24,26]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[26,28]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[28,36]}}";
        byte[] data = bytes(
                0x00, 0x3C, 0x00, 0xC0,             // F16 1.0, -2.0
                0x80, 0x3F, 0x49, 0x40,             // BF16 1.0, 3.140625
                0x00, 0x00, 0x20, 0x41,             // F32 10.0
                0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // I64 -2
                0x39, 0x30, 0x00, 0x00,             // I32 12345
                0xFF, 0x05,                         // I8 -1, 5
                0xFF, 0x05,                         // U8 255, 5
                0, 0, 0, 0, 0, 0, 0xF8, 0x3F);      // F64 1.5
        try (SafetensorsFile file = SafetensorsFile.of(file(header, data))) {
            assertEquals(Map.of("format", "pt"), file.metadata());
            assertArrayEquals(new float[] {1.0f, -2.0f}, file.readFloats("h"));
            assertArrayEquals(new float[] {1.0f, 3.140625f}, file.readFloats("b"));
            assertArrayEquals(new float[] {10.0f}, file.readFloats("f"));
            assertArrayEquals(new int[] {-2}, file.readInts("l"));
            assertArrayEquals(new int[] {12345}, file.readInts("i"));
            assertArrayEquals(new long[] {1, 1}, file.shape("i"));
            assertArrayEquals(new int[] {-1, 5}, file.readInts("s"));
            assertArrayEquals(new int[] {255, 5}, file.readInts("u"));
            assertArrayEquals(new float[] {1.5f}, file.readFloats("d"));
            assertEquals(SafetensorsDType.BF16, file.dtype("b"));
            assertEquals(4, file.raw("b").remaining());
            assertEquals(java.util.List.of("h", "b", "f", "l", "i", "s", "u", "d"), java.util.List.copyOf(file.names()));
        }
    }

    @Test
    void writerOutputMatchesTheFormatByteForByte() {
        byte[] written = new SafetensorsWriter()
                .metadata("format", "pt")
                .putInts("z", new long[] {1}, new int[] {7})
                .putFloats("a", SafetensorsDType.BF16, new long[] {1}, new float[] {1.0f})
                .putFloats("b", SafetensorsDType.F32, new long[] {1}, new float[] {2.0f})
                .toBytes();
        // F32 before I32 before BF16 (the library's dtype order), names sorted within a dtype
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"z\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"a\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[8,10]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] expected = file(padded, bytes(0, 0, 0, 0x40, 7, 0, 0, 0, 0x80, 0x3F));
        assertArrayEquals(expected, written);
        assertEquals(0, (written.length - 10 - 8) % 8, "header padded to a multiple of 8");
    }

    @Test
    void roundTripKeepsF32ExactAndRoundsHalfFormats(@TempDir Path dir) {
        float[] values = {0f, -0f, 1f, -2.5f, 3.14159265f, 1e-8f, 65504f, 70000f, Float.NaN, Float.NEGATIVE_INFINITY,
                1.00048828125f /* 1 + 2^-11: F16 tie, rounds to even 1.0 */};
        SafetensorsWriter writer = new SafetensorsWriter()
                .metadata("note", "round trip")
                .putFloats("w32", SafetensorsDType.F32, new long[] {values.length}, values)
                .putFloats("w16", SafetensorsDType.F16, new long[] {values.length}, values)
                .putFloats("wbf", SafetensorsDType.BF16, new long[] {values.length}, values)
                .putInts("ids", new long[] {2, 2}, new int[] {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE});
        Path path = dir.resolve("t.safetensors");
        writer.write(path);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals("round trip", file.metadata().get("note"));
            assertArrayEquals(values, file.readFloats("w32"));
            float[] half = file.readFloats("w16");
            float[] bf = file.readFloats("wbf");
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float16.halfToFloat(Float16.floatToHalf(values[i])), half[i], "F16 element " + i);
                assertEquals(Float16.bf16ToFloat(Float16.floatToBf16(values[i])), bf[i], "BF16 element " + i);
            }
            assertEquals(0f, half[5]); // 1e-8 is below half the smallest F16 subnormal (2^-25)
            assertEquals(65504f, half[6]);
            assertEquals(Float.POSITIVE_INFINITY, half[7]);
            assertTrue(Float.isNaN(half[8]) && Float.isNaN(bf[8]), "NaN stays NaN");
            assertEquals(1.0f, half[10]);
            assertEquals(3.140625f, bf[4]);
            assertArrayEquals(new int[] {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE}, file.readInts("ids"));
            assertArrayEquals(new long[] {2, 2}, file.shape("ids"));
        }
        assertArrayEquals(writer.toBytes(), readAll(path), "toBytes and write give the same file");
    }

    private static byte[] readAll(Path path) {
        try {
            return java.nio.file.Files.readAllBytes(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void halfConversionRoundTripsEveryNonNanHalf() {
        for (int h = 0; h < 1 << 16; h++) {
            float value = Float16.halfToFloat((short) h);
            if (Float.isNaN(value)) {
                assertTrue(Float.isNaN(Float16.halfToFloat(Float16.floatToHalf(value))));
                continue;
            }
            assertEquals((short) h, Float16.floatToHalf(value), "half bits " + Integer.toHexString(h));
        }
    }

    @Test
    void halfAndBf16RoundToNearestEven() {
        // F16 around 1.0: ulp 2^-10. 1 + 3*2^-11 is a tie between 1+2^-10 (odd) and 1+2^-9 (even).
        assertEquals(1f + 0x1p-9f, Float16.halfToFloat(Float16.floatToHalf(1f + 3 * 0x1p-11f)));
        assertEquals(1f + 0x1p-10f, Float16.halfToFloat(Float16.floatToHalf(1f + 0x1p-11f + 0x1p-20f)));
        assertEquals(65504f, Float16.halfToFloat(Float16.floatToHalf(65519.99f)));
        assertEquals(Float.POSITIVE_INFINITY, Float16.halfToFloat(Float16.floatToHalf(65520f)));
        // subnormals: smallest 2^-24; 1.5 * 2^-24 ties to 2 * 2^-24 (even); 0.5 * 2^-24 ties to 0
        assertEquals(0x1p-23f, Float16.halfToFloat(Float16.floatToHalf(1.5f * 0x1p-24f)));
        assertEquals(0f, Float16.halfToFloat(Float16.floatToHalf(0.5f * 0x1p-24f)));
        assertEquals(0x1p-24f, Float16.halfToFloat(Float16.floatToHalf(0.51f * 0x1p-24f)));
        assertEquals((short) 0x0400, Float16.floatToHalf(0x1p-14f)); // smallest normal
        // BF16: 0x3F808000 is halfway between 0x3F80 (even) and 0x3F81; 0x3F818000 between 0x3F81 and 0x3F82 (even)
        assertEquals((short) 0x3F80, Float16.floatToBf16(Float.intBitsToFloat(0x3F808000)));
        assertEquals((short) 0x3F82, Float16.floatToBf16(Float.intBitsToFloat(0x3F818000)));
        assertEquals((short) 0x3F81, Float16.floatToBf16(Float.intBitsToFloat(0x3F808001)));
        assertTrue(Float.isNaN(Float16.bf16ToFloat(Float16.floatToBf16(Float.intBitsToFloat(0x7F800001)))));
        assertEquals(Float.POSITIVE_INFINITY, Float16.bf16ToFloat(Float16.floatToBf16(Float.MAX_VALUE)));
    }

    @Test
    void brokenHeadersFailNamingTheTensor() {
        byte[] four = new byte[4];
        assertMessage("'x'", "overlap", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four));
        assertMessage("'x'", "hole", file("{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[2,4]}}", four));
        assertMessage("'x'", "past the end", file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", four));
        assertMessage("'x'", "span", file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", four));
        assertMessage("'x'", "dtype F8", file("{\"x\":{\"dtype\":\"F8\",\"shape\":[4],\"data_offsets\":[0,4]}}", four));
        assertMessage("'x'", "data_offsets", file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", four));
        assertMessage("trailing", "has 4", file("{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", four));
        assertMessage("header length", "", new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, 0});
        assertMessage("not valid JSON", "", file("{\"x\":", four));
    }

    private static void assertMessage(String part1, String part2, byte[] content) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.of(content));
        assertTrue(e.getMessage().contains(part1) && e.getMessage().contains(part2),
                "message should contain '" + part1 + "' and '" + part2 + "': " + e.getMessage());
    }

    @Test
    void referenceFileOpensWithItsDocumentedTensors() {
        Path path = SharedFiles.smollm2Dir().resolve("reference/reference.safetensors");
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals("smollm2-reference/1", file.metadata().get("schema"));
            assertEquals(57, file.names().size());
            for (String chat : new String[] {"pirate_system", "default_system", "multi_turn", "latentqa_system"}) {
                int[] ids = file.readInts("chat." + chat + ".ids");
                assertEquals(SafetensorsDType.I32, file.dtype("chat." + chat + ".ids"));
                assertEquals(1, ids[0], chat + " starts with <|im_start|>");
                assertArrayEquals(new long[] {49152}, file.shape("chat." + chat + ".logits_last"));
                for (int k : new int[] {0, 7, 15, 22, 29}) {
                    assertArrayEquals(new long[] {ids.length, 576}, file.shape("chat." + chat + ".residual." + k));
                }
                assertEquals(ids.length, file.readInts("chat." + chat + ".argmax_all").length);
                assertTrue(file.contains("chat." + chat + ".greedy32"));
            }
            assertEquals(24, file.readInts("chat.pirate_system.ids").length);
            float[] residual = file.readFloats("chat.pirate_system.residual.15");
            assertEquals(24 * 576, residual.length);
            for (float v : residual) {
                assertTrue(Float.isFinite(v));
            }
            for (String kind : new String[] {"system", "stimulus", "control"}) {
                for (String t : new String[] {"read_ids", "read_activations", "vector_index", "write_ids",
                        "placeholder_positions", "labels", "answer_logprobs"}) {
                    assertTrue(file.contains("lit." + kind + "." + t), "lit." + kind + "." + t);
                }
            }
        }
    }

    @Test
    void loraAdapterFileOpens() {
        Path path = SharedFiles.smollm2Dir().resolve("reference/lora/adapter_model.safetensors");
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            String a = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
            assertArrayEquals(new long[] {4, 576}, file.shape(a));
            assertEquals(30 * 7 * 2, file.names().size());
            assertEquals(4 * 576, file.readFloats(a).length);
        }
    }
}
