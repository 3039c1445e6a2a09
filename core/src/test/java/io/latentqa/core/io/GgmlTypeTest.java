package io.latentqa.core.io;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each quantized type checked two ways: literal blocks whose values are worked out by hand in the
 * comments, and random blocks packed the way llama.cpp's quantize_row_*_ref packs them (the inverse
 * path, written independently of the dequantizer) and compared with the defining formula
 * w = d·scale·q − dmin·min, bit for bit.
 */
class GgmlTypeTest {

    private static final Random RANDOM = new Random(42);

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static float[] dequantize(GgmlType type, ByteBuffer block) {
        float[] out = new float[type.blockSize()];
        type.dequantize(block, 0, out, 0, out.length);
        return out;
    }

    /** A random scale that is exactly representable as a half. */
    private static float randomHalf() {
        return Float16.halfToFloat(Float16.floatToHalf((RANDOM.nextFloat() - 0.3f) * 0.1f));
    }

    private static int[] randomLevels(int n, int bound) {
        int[] levels = new int[n];
        for (int i = 0; i < n; i++) {
            levels[i] = RANDOM.nextInt(bound);
        }
        return levels;
    }

    // ---------------------------------------------------------------------------------------------- literal blocks

    @Test
    void q4_0LiteralBlock() {
        ByteBuffer b = buffer(18);
        b.putShort(0, (short) 0x3800);      // d = 0.5
        b.put(2, (byte) 0x1F);              // weight 0: low nibble 15, weight 16: high nibble 1
        float[] y = dequantize(GgmlType.Q4_0, b);
        assertEquals(3.5f, y[0]);           // (15 - 8) * 0.5
        assertEquals(-3.5f, y[16]);         // (1 - 8) * 0.5
        assertEquals(-4.0f, y[1]);          // (0 - 8) * 0.5
    }

    @Test
    void q4_1LiteralBlock() {
        ByteBuffer b = buffer(20);
        b.putShort(0, (short) 0x3C00);      // d = 1
        b.putShort(2, (short) 0xC800);      // m = -8
        b.put(4, (byte) 0xA5);
        float[] y = dequantize(GgmlType.Q4_1, b);
        assertEquals(-3f, y[0]);            // 5 * 1 - 8
        assertEquals(2f, y[16]);            // 10 * 1 - 8
        assertEquals(-8f, y[31]);           // 0 * 1 - 8
    }

    @Test
    void q5_0AndQ5_1LiteralBlocks() {
        ByteBuffer b = buffer(22);
        b.putShort(0, (short) 0x3C00);      // d = 1
        b.putInt(2, 0x0001_0001);           // 5th bit of weight 0 (bit 0) and weight 16 (bit 16)
        b.put(6, (byte) 0x21);              // weight 0 low 1, weight 16 high 2
        float[] y = dequantize(GgmlType.Q5_0, b);
        assertEquals(1f, y[0]);             // (1 | 16) - 16
        assertEquals(2f, y[16]);            // (2 | 16) - 16
        assertEquals(-16f, y[1]);           // 0 - 16
        ByteBuffer c = buffer(24);
        c.putShort(0, (short) 0x3800);      // d = 0.5
        c.putShort(2, (short) 0x3C00);      // m = 1
        c.putInt(4, 0x8000_0000);           // 5th bit of weight 31
        c.put(8 + 15, (byte) 0xF0);         // weight 31: high nibble of byte 15
        float[] z = dequantize(GgmlType.Q5_1, c);
        assertEquals(16.5f, z[31]);         // 31 * 0.5 + 1
        assertEquals(1f, z[0]);
    }

    @Test
    void q8_0LiteralBlock() {
        ByteBuffer b = buffer(34);
        b.putShort(0, (short) 0x3400);      // d = 0.25
        b.put(2, (byte) -128);
        b.put(33, (byte) 127);
        float[] y = dequantize(GgmlType.Q8_0, b);
        assertEquals(-32f, y[0]);
        assertEquals(31.75f, y[31]);
    }

    @Test
    void q4_kLiteralBlockUsesSixBitScales() {
        ByteBuffer b = buffer(144);
        b.putShort(0, (short) 0x3C00);      // d = 1
        b.putShort(2, (short) 0x3C00);      // dmin = 1
        b.put(4, (byte) 0x42);              // sub-block 0 scale = 0x42 & 63 = 2; its top bits (1) are scale 4's high bits
        b.put(5, (byte) 1);                 // sub-block 1 scale 1
        b.put(8, (byte) 3);                 // sub-block 0 min 3
        b.put(9, (byte) 2);                 // sub-block 1 min 2
        b.put(12, (byte) 0x35);             // sub-block 4: scale low 5 | high (0x42 >> 6 = 1) << 4 = 21, min low 3 | (3 >> 6) << 4 = 3
        b.put(16, (byte) 0x07);             // weights 0 (low 7) and 32 (high 0)
        b.put(16 + 64, (byte) 0x02);        // weight 128 (sub-block 4): low nibble 2
        float[] y = dequantize(GgmlType.Q4_K, b);
        assertEquals(11f, y[0]);            // 1*2*7 - 1*3
        assertEquals(-2f, y[32]);           // 1*1*0 - 1*2
        assertEquals(39f, y[128]);          // 1*21*2 - 1*3
    }

    @Test
    void q6_kLiteralBlock() {
        ByteBuffer b = buffer(210);
        b.putShort(208, (short) 0x3800);    // d = 0.5
        b.put(192, (byte) -3);              // scale of weights 0..15
        b.put(128, (byte) 0x03);            // qh: weight 0 gets high bits 3 -> q = (ql & 15) | 3 << 4
        b.put(0, (byte) 0x0F);              // weight 0 low 15 -> q = 63, minus 32 = 31
        float[] y = dequantize(GgmlType.Q6_K, b);
        assertEquals(-46.5f, y[0]);         // 0.5 * -3 * 31
        assertEquals(48f, y[1]);            // 0.5 * -3 * (0 - 32)
    }

    // ---------------------------------------------------------------------------------------------- packed like quantize_row_*_ref

    @Test
    void legacyTypesMatchTheirFormula() {
        for (int trial = 0; trial < 20; trial++) {
            float d = randomHalf();
            float m = randomHalf();
            int[] l4 = randomLevels(32, 16);
            int[] l5 = randomLevels(32, 32);
            int[] l8 = randomLevels(32, 256);

            ByteBuffer q40 = buffer(18).putShort(0, Float16.floatToHalf(d));
            ByteBuffer q41 = buffer(20).putShort(0, Float16.floatToHalf(d)).putShort(2, Float16.floatToHalf(m));
            ByteBuffer q50 = buffer(22).putShort(0, Float16.floatToHalf(d));
            ByteBuffer q51 = buffer(24).putShort(0, Float16.floatToHalf(d)).putShort(2, Float16.floatToHalf(m));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                q40.put(2 + j, (byte) (l4[j] | l4[j + 16] << 4));
                q41.put(4 + j, (byte) (l4[j] | l4[j + 16] << 4));
                q50.put(6 + j, (byte) ((l5[j] & 0xF) | (l5[j + 16] & 0xF) << 4));
                q51.put(8 + j, (byte) ((l5[j] & 0xF) | (l5[j + 16] & 0xF) << 4));
                qh |= ((l5[j] & 0x10) >> 4) << j;
                qh |= ((l5[j + 16] & 0x10) >> 4) << (j + 16);
            }
            q50.putInt(2, qh);
            q51.putInt(4, qh);
            ByteBuffer q80 = buffer(34).putShort(0, Float16.floatToHalf(d));
            for (int j = 0; j < 32; j++) {
                q80.put(2 + j, (byte) (l8[j] - 128));
            }
            float[] y40 = dequantize(GgmlType.Q4_0, q40);
            float[] y41 = dequantize(GgmlType.Q4_1, q41);
            float[] y50 = dequantize(GgmlType.Q5_0, q50);
            float[] y51 = dequantize(GgmlType.Q5_1, q51);
            float[] y80 = dequantize(GgmlType.Q8_0, q80);
            for (int i = 0; i < 32; i++) {
                assertEquals((l4[i] - 8) * d, y40[i], "Q4_0 " + i);
                assertEquals(l4[i] * d + m, y41[i], "Q4_1 " + i);
                assertEquals((l5[i] - 16) * d, y50[i], "Q5_0 " + i);
                assertEquals(l5[i] * d + m, y51[i], "Q5_1 " + i);
                assertEquals((l8[i] - 128) * d, y80[i], "Q8_0 " + i);
            }
        }
    }

    @Test
    void q2_kMatchesItsFormula() {
        float d = randomHalf();
        float dmin = randomHalf();
        int[] ls = randomLevels(16, 16);
        int[] lm = randomLevels(16, 16);
        int[] l = randomLevels(256, 4);
        ByteBuffer b = buffer(84);
        for (int j = 0; j < 16; j++) {
            b.put(j, (byte) (ls[j] | lm[j] << 4));
        }
        for (int j = 0; j < 256; j += 128) {
            for (int k = 0; k < 32; k++) {
                b.put(16 + j / 4 + k, (byte) (l[j + k] | l[j + k + 32] << 2 | l[j + k + 64] << 4 | l[j + k + 96] << 6));
            }
        }
        b.putShort(80, Float16.floatToHalf(d)).putShort(82, Float16.floatToHalf(dmin));
        float[] y = dequantize(GgmlType.Q2_K, b);
        for (int i = 0; i < 256; i++) {
            int s = i / 16;
            assertEquals((d * ls[s]) * l[i] - (dmin * lm[s]), y[i], "Q2_K " + i);
        }
    }

    @Test
    void q3_kMatchesItsFormula() {
        float d = randomHalf();
        int[] scales = randomLevels(16, 64);    // stored 6-bit, meaning scale - 32
        int[] l = randomLevels(256, 8);         // 3-bit level, meaning l - 4
        ByteBuffer b = buffer(110);
        byte[] packed = new byte[12];
        for (int j = 0; j < 16; j++) {
            int v = scales[j];
            if (j < 8) {
                packed[j] = (byte) (v & 0xF);
            } else {
                packed[j - 8] |= (byte) ((v & 0xF) << 4);
            }
            packed[j % 4 + 8] |= (byte) ((v >> 4) << (2 * (j / 4)));
        }
        for (int j = 0; j < 12; j++) {
            b.put(96 + j, packed[j]);
        }
        int[] low = new int[256];
        int m = 0;
        int hm = 1;
        for (int j = 0; j < 256; j++) {
            low[j] = l[j];
            if (l[j] > 3) {
                b.put(m, (byte) (b.get(m) | hm));
                low[j] -= 4;
            }
            if (++m == 32) {
                m = 0;
                hm <<= 1;
            }
        }
        for (int j = 0; j < 256; j += 128) {
            for (int k = 0; k < 32; k++) {
                b.put(32 + j / 4 + k, (byte) (low[j + k] | low[j + k + 32] << 2 | low[j + k + 64] << 4 | low[j + k + 96] << 6));
            }
        }
        b.putShort(108, Float16.floatToHalf(d));
        float[] y = dequantize(GgmlType.Q3_K, b);
        for (int i = 0; i < 256; i++) {
            assertEquals((d * (scales[i / 16] - 32)) * (l[i] - 4), y[i], "Q3_K " + i);
        }
    }

    /** The 12-byte 6-bit scale/min packing of Q4_K and Q5_K (quantize_row_q4_K_ref). */
    private static void packScalesK4(ByteBuffer b, int at, int[] ls, int[] lm) {
        byte[] s = new byte[12];
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                s[j] = (byte) ls[j];
                s[j + 4] = (byte) lm[j];
            } else {
                s[j + 4] = (byte) ((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                s[j - 4] |= (byte) ((ls[j] >> 4) << 6);
                s[j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
        for (int j = 0; j < 12; j++) {
            b.put(at + j, s[j]);
        }
    }

    @Test
    void q4_kAndQ5_kMatchTheirFormula() {
        for (int trial = 0; trial < 10; trial++) {
            float d = randomHalf();
            float dmin = randomHalf();
            int[] ls = randomLevels(8, 64);
            int[] lm = randomLevels(8, 64);
            int[] l4 = randomLevels(256, 16);
            int[] l5 = randomLevels(256, 32);
            ByteBuffer q4 = buffer(144).putShort(0, Float16.floatToHalf(d)).putShort(2, Float16.floatToHalf(dmin));
            packScalesK4(q4, 4, ls, lm);
            for (int j = 0; j < 256; j += 64) {
                for (int k = 0; k < 32; k++) {
                    q4.put(16 + j / 2 + k, (byte) (l4[j + k] | l4[j + k + 32] << 4));
                }
            }
            ByteBuffer q5 = buffer(176).putShort(0, Float16.floatToHalf(d)).putShort(2, Float16.floatToHalf(dmin));
            packScalesK4(q5, 4, ls, lm);
            int m1 = 1;
            int m2 = 2;
            for (int n = 0; n < 256; n += 64) {
                for (int j = 0; j < 32; j++) {
                    int a = l5[n + j];
                    int c = l5[n + j + 32];
                    int qh = q5.get(16 + j);
                    if (a > 15) {
                        a -= 16;
                        qh |= m1;
                    }
                    if (c > 15) {
                        c -= 16;
                        qh |= m2;
                    }
                    q5.put(16 + j, (byte) qh);
                    q5.put(48 + n / 2 + j, (byte) (a | c << 4));
                }
                m1 <<= 2;
                m2 <<= 2;
            }
            float[] y4 = dequantize(GgmlType.Q4_K, q4);
            float[] y5 = dequantize(GgmlType.Q5_K, q5);
            for (int i = 0; i < 256; i++) {
                int s = i / 32;
                assertEquals((d * ls[s]) * l4[i] - (dmin * lm[s]), y4[i], "Q4_K " + i);
                assertEquals((d * ls[s]) * l5[i] - (dmin * lm[s]), y5[i], "Q5_K " + i);
            }
        }
    }

    @Test
    void q6_kMatchesItsFormula() {
        float d = randomHalf();
        int[] sc = new int[16];
        for (int j = 0; j < 16; j++) {
            sc[j] = RANDOM.nextInt(256) - 128;
        }
        int[] l = randomLevels(256, 64);
        ByteBuffer b = buffer(210);
        for (int j = 0; j < 256; j += 128) {
            int ql = j / 2;
            int qh = 128 + j / 4;
            for (int k = 0; k < 32; k++) {
                b.put(ql + k, (byte) ((l[j + k] & 0xF) | (l[j + k + 64] & 0xF) << 4));
                b.put(ql + k + 32, (byte) ((l[j + k + 32] & 0xF) | (l[j + k + 96] & 0xF) << 4));
                b.put(qh + k, (byte) ((l[j + k] >> 4) | (l[j + k + 32] >> 4) << 2 | (l[j + k + 64] >> 4) << 4 | (l[j + k + 96] >> 4) << 6));
            }
        }
        for (int j = 0; j < 16; j++) {
            b.put(192 + j, (byte) sc[j]);
        }
        b.putShort(208, Float16.floatToHalf(d));
        float[] y = dequantize(GgmlType.Q6_K, b);
        for (int i = 0; i < 256; i++) {
            assertEquals(d * sc[i / 16] * (l[i] - 32), y[i], "Q6_K " + i);
        }
    }

    @Test
    void q8_kAndPlainTypes() {
        ByteBuffer b = buffer(292).putFloat(0, 0.125f);
        b.put(4, (byte) -7).put(4 + 255, (byte) 100);
        float[] y = dequantize(GgmlType.Q8_K, b);
        assertEquals(-0.875f, y[0]);
        assertEquals(12.5f, y[255]);
        float[] plain = new float[3];
        GgmlType.F16.dequantize(buffer(6).putShort(0, (short) 0x3C00).putShort(2, (short) 0xC000).putShort(4, (short) 0x7BFF), 0, plain, 0, 3);
        assertEquals(1f, plain[0]);
        assertEquals(-2f, plain[1]);
        assertEquals(65504f, plain[2]);
        GgmlType.BF16.dequantize(buffer(4).putShort(0, (short) 0x3F80).putShort(2, (short) 0x4049), 0, plain, 0, 2);
        assertEquals(3.140625f, plain[1]);
        GgmlType.F32.dequantize(buffer(4).putFloat(0, 1.5f), 0, plain, 0, 1);
        assertEquals(1.5f, plain[0]);
    }

    @Test
    void sizesAndUnsupportedTypes() {
        assertEquals(20, GgmlType.Q4_1.byteSize(32));
        assertEquals(34 * 18, GgmlType.Q8_0.byteSize(576));
        assertEquals(GgmlType.Q6_K, GgmlType.fromId(14));
        assertEquals(GgmlType.BF16, GgmlType.fromId(30));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.fromId(4));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_K.byteSize(100));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> GgmlType.IQ2_XXS.dequantize(buffer(66), 0, new float[256], 0, 256));
        assertEquals(true, e.getMessage().contains("IQ2_XXS"));
    }
}
