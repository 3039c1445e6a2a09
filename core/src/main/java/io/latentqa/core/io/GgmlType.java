package io.latentqa.core.io;

import java.nio.ByteBuffer;

/**
 * The tensor encodings of ggml (llama.cpp), with each type's block size, bytes per block and, for
 * the supported ones, a dequantizer to float32 that follows llama.cpp's {@code ggml-quants.c}
 * {@code dequantize_row_*} operation for operation (same float products and order, no fused
 * multiply-add), so values are bit-identical to the reference C code compiled without contraction.
 *
 * <p>Block layouts (little-endian; "half" = IEEE F16):
 * <ul>
 * <li>Q4_0 (32): half d, 16 bytes nibbles; w = (q - 8)·d, low nibbles are weights 0–15, high 16–31.
 * <li>Q4_1 (32): half d, half m, 16 bytes; w = q·d + m.
 * <li>Q5_0 (32): half d, u32 qh (5th bits), 16 bytes; w = (q - 16)·d.
 * <li>Q5_1 (32): half d, half m, u32 qh, 16 bytes; w = q·d + m.
 * <li>Q8_0 (32): half d, 32 × int8; w = q·d.
 * <li>Q2_K (256): scales[16] (4-bit scale | 4-bit min), qs[64], half d, half dmin.
 * <li>Q3_K (256): hmask[32], qs[64], scales[12] (6-bit, packed), half d.
 * <li>Q4_K (256): half d, half dmin, scales[12] (6-bit scale and min), qs[128].
 * <li>Q5_K (256): half d, half dmin, scales[12], qh[32], qs[128].
 * <li>Q6_K (256): ql[128], qh[64], int8 scales[16], half d.
 * <li>Q8_K (256): float d, 256 × int8, 16 × int16 sums.
 * </ul>
 * The IQ*, TQ* and MXFP4 types are known by size (so files holding them parse) but not dequantized.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66),
    MXFP4(39, 32, 17);

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /** The type number written in GGUF tensor infos ({@code enum ggml_type}). */
    public int id() {
        return id;
    }

    /** Weights per block (1 for plain types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /** Bytes taken by {@code elements} weights; fails if they are not whole blocks. */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(name() + " stores blocks of " + blockSize + " weights; " + elements
                    + " is not a multiple");
        }
        return elements / blockSize * bytesPerBlock;
    }

    /** Whether {@link #dequantize} supports this type. */
    public boolean canDequantize() {
        return switch (this) {
            case F32, F16, BF16, F64, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K -> true;
            default -> false;
        };
    }

    /** The type with a given ggml number; fails naming the number. */
    public static GgmlType fromId(int id) {
        for (GgmlType type : values()) {
            if (type.id == id) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown ggml tensor type " + id + " (this reader knows "
                + java.util.Arrays.toString(values()) + ")");
    }

    /**
     * Dequantizes {@code count} weights (whole blocks) to float32.
     *
     * @param src       little-endian bytes; the first block starts at {@code srcOffset}
     * @param dst       output, written from {@code dstOffset}
     */
    public void dequantize(ByteBuffer src, int srcOffset, float[] dst, int dstOffset, int count) {
        if (count % blockSize != 0) {
            throw new IllegalArgumentException(name() + ": " + count + " weights are not whole blocks of " + blockSize);
        }
        int blocks = count / blockSize;
        for (int i = 0; i < blocks; i++) {
            int b = srcOffset + i * bytesPerBlock;
            int y = dstOffset + i * blockSize;
            switch (this) {
                case F32 -> dst[y] = src.getFloat(b);
                case F16 -> dst[y] = Float16.halfToFloat(src.getShort(b));
                case BF16 -> dst[y] = Float16.bf16ToFloat(src.getShort(b));
                case F64 -> dst[y] = (float) src.getDouble(b);
                case Q4_0 -> q4_0(src, b, dst, y);
                case Q4_1 -> q4_1(src, b, dst, y);
                case Q5_0 -> q5_0(src, b, dst, y);
                case Q5_1 -> q5_1(src, b, dst, y);
                case Q8_0 -> q8_0(src, b, dst, y);
                case Q2_K -> q2_k(src, b, dst, y);
                case Q3_K -> q3_k(src, b, dst, y);
                case Q4_K -> q4_k(src, b, dst, y);
                case Q5_K -> q5_k(src, b, dst, y);
                case Q6_K -> q6_k(src, b, dst, y);
                case Q8_K -> q8_k(src, b, dst, y);
                default -> throw new UnsupportedOperationException("dequantizing " + name()
                        + " is not implemented (supported: F32, F16, BF16, F64, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K, Q8_K);"
                        + " convert the model to one of those with llama.cpp's llama-quantize");
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // one block each, after ggml-quants.c

    private static int u8(ByteBuffer b, int i) {
        return b.get(i) & 0xFF;
    }

    private static float half(ByteBuffer b, int i) {
        return Float16.halfToFloat(b.getShort(i));
    }

    private static void q4_0(ByteBuffer x, int b, float[] y, int o) {
        float d = half(x, b);
        for (int j = 0; j < 16; j++) {
            int q = u8(x, b + 2 + j);
            y[o + j] = ((q & 0x0F) - 8) * d;
            y[o + j + 16] = ((q >>> 4) - 8) * d;
        }
    }

    private static void q4_1(ByteBuffer x, int b, float[] y, int o) {
        float d = half(x, b);
        float m = half(x, b + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(x, b + 4 + j);
            y[o + j] = (q & 0x0F) * d + m;
            y[o + j + 16] = (q >>> 4) * d + m;
        }
    }

    private static void q5_0(ByteBuffer x, int b, float[] y, int o) {
        float d = half(x, b);
        int qh = x.getInt(b + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(x, b + 6 + j);
            int xh0 = ((qh >>> j) << 4) & 0x10;
            int xh1 = (qh >>> (j + 12)) & 0x10;
            y[o + j] = (((q & 0x0F) | xh0) - 16) * d;
            y[o + j + 16] = (((q >>> 4) | xh1) - 16) * d;
        }
    }

    private static void q5_1(ByteBuffer x, int b, float[] y, int o) {
        float d = half(x, b);
        float m = half(x, b + 2);
        int qh = x.getInt(b + 4);
        for (int j = 0; j < 16; j++) {
            int q = u8(x, b + 8 + j);
            int xh0 = ((qh >>> j) << 4) & 0x10;
            int xh1 = (qh >>> (j + 12)) & 0x10;
            y[o + j] = ((q & 0x0F) | xh0) * d + m;
            y[o + j + 16] = ((q >>> 4) | xh1) * d + m;
        }
    }

    private static void q8_0(ByteBuffer x, int b, float[] y, int o) {
        float d = half(x, b);
        for (int j = 0; j < 32; j++) {
            y[o + j] = x.get(b + 2 + j) * d;
        }
    }

    private static void q2_k(ByteBuffer x, int b, float[] y, int o) {
        float d = half(x, b + 80);
        float min = half(x, b + 82);
        int q = b + 16;
        int is = 0;
        for (int n = 0; n < 256; n += 128) {
            int shift = 0;
            for (int j = 0; j < 4; j++) {
                int sc = u8(x, b + is++);
                float dl = d * (sc & 0xF);
                float ml = min * (sc >>> 4);
                for (int l = 0; l < 16; l++) {
                    y[o++] = dl * ((u8(x, q + l) >>> shift) & 3) - ml;
                }
                sc = u8(x, b + is++);
                dl = d * (sc & 0xF);
                ml = min * (sc >>> 4);
                for (int l = 0; l < 16; l++) {
                    y[o++] = dl * ((u8(x, q + l + 16) >>> shift) & 3) - ml;
                }
                shift += 2;
            }
            q += 32;
        }
    }

    private static void q3_k(ByteBuffer x, int b, float[] y, int o) {
        final int kmask1 = 0x03030303;
        final int kmask2 = 0x0f0f0f0f;
        float dAll = half(x, b + 108);
        int hm = b;
        int q = b + 32;
        // the 16 six-bit scales: 12 bytes unpacked into four u32 (aux), read as bytes
        int a0 = x.getInt(b + 96);
        int a1 = x.getInt(b + 100);
        int tmp = x.getInt(b + 104);
        int[] aux = {
                (a0 & kmask2) | (((tmp) & kmask1) << 4),
                (a1 & kmask2) | (((tmp >>> 2) & kmask1) << 4),
                ((a0 >>> 4) & kmask2) | (((tmp >>> 4) & kmask1) << 4),
                ((a1 >>> 4) & kmask2) | (((tmp >>> 6) & kmask1) << 4)};
        int is = 0;
        int m = 1;
        for (int n = 0; n < 256; n += 128) {
            int shift = 0;
            for (int j = 0; j < 4; j++) {
                float dl = dAll * (scaleByte(aux, is++) - 32);
                for (int l = 0; l < 16; l++) {
                    y[o++] = dl * (((u8(x, q + l) >>> shift) & 3) - ((u8(x, hm + l) & m) != 0 ? 0 : 4));
                }
                dl = dAll * (scaleByte(aux, is++) - 32);
                for (int l = 0; l < 16; l++) {
                    y[o++] = dl * (((u8(x, q + l + 16) >>> shift) & 3) - ((u8(x, hm + l + 16) & m) != 0 ? 0 : 4));
                }
                shift += 2;
                m <<= 1;
            }
            q += 32;
        }
    }

    /** Byte {@code i} of little-endian u32 words, as the int8 the C code reads. */
    private static int scaleByte(int[] words, int i) {
        return (byte) (words[i >>> 2] >>> (8 * (i & 3)));
    }

    /** get_scale_min_k4: the j-th 6-bit scale and min of a Q4_K/Q5_K block; returns scale | min << 8. */
    private static int scaleMinK4(int j, ByteBuffer x, int scales) {
        int d;
        int m;
        if (j < 4) {
            d = u8(x, scales + j) & 63;
            m = u8(x, scales + j + 4) & 63;
        } else {
            d = (u8(x, scales + j + 4) & 0xF) | ((u8(x, scales + j - 4) >>> 6) << 4);
            m = (u8(x, scales + j + 4) >>> 4) | ((u8(x, scales + j) >>> 6) << 4);
        }
        return d | (m << 8);
    }

    private static void q4_k(ByteBuffer x, int b, float[] y, int o) {
        float d = half(x, b);
        float min = half(x, b + 2);
        int scales = b + 4;
        int q = b + 16;
        int is = 0;
        for (int j = 0; j < 256; j += 64) {
            int sm = scaleMinK4(is, x, scales);
            float d1 = d * (sm & 0xFF);
            float m1 = min * (sm >>> 8);
            sm = scaleMinK4(is + 1, x, scales);
            float d2 = d * (sm & 0xFF);
            float m2 = min * (sm >>> 8);
            for (int l = 0; l < 32; l++) {
                y[o++] = d1 * (u8(x, q + l) & 0xF) - m1;
            }
            for (int l = 0; l < 32; l++) {
                y[o++] = d2 * (u8(x, q + l) >>> 4) - m2;
            }
            q += 32;
            is += 2;
        }
    }

    private static void q5_k(ByteBuffer x, int b, float[] y, int o) {
        float d = half(x, b);
        float min = half(x, b + 2);
        int scales = b + 4;
        int qh = b + 16;
        int ql = b + 48;
        int is = 0;
        int u1 = 1;
        int u2 = 2;
        for (int j = 0; j < 256; j += 64) {
            int sm = scaleMinK4(is, x, scales);
            float d1 = d * (sm & 0xFF);
            float m1 = min * (sm >>> 8);
            sm = scaleMinK4(is + 1, x, scales);
            float d2 = d * (sm & 0xFF);
            float m2 = min * (sm >>> 8);
            for (int l = 0; l < 32; l++) {
                y[o++] = d1 * ((u8(x, ql + l) & 0xF) + ((u8(x, qh + l) & u1) != 0 ? 16 : 0)) - m1;
            }
            for (int l = 0; l < 32; l++) {
                y[o++] = d2 * ((u8(x, ql + l) >>> 4) + ((u8(x, qh + l) & u2) != 0 ? 16 : 0)) - m2;
            }
            ql += 32;
            is += 2;
            u1 <<= 2;
            u2 <<= 2;
        }
    }

    private static void q6_k(ByteBuffer x, int b, float[] y, int o) {
        float d = half(x, b + 208);
        int ql = b;
        int qh = b + 128;
        int sc = b + 192;
        for (int n = 0; n < 256; n += 128) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int h = u8(x, qh + l);
                int q1 = ((u8(x, ql + l) & 0xF) | ((h & 3) << 4)) - 32;
                int q2 = ((u8(x, ql + l + 32) & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((u8(x, ql + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((u8(x, ql + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                y[o + l] = d * x.get(sc + is) * q1;
                y[o + l + 32] = d * x.get(sc + is + 2) * q2;
                y[o + l + 64] = d * x.get(sc + is + 4) * q3;
                y[o + l + 96] = d * x.get(sc + is + 6) * q4;
            }
            o += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }

    private static void q8_k(ByteBuffer x, int b, float[] y, int o) {
        float d = x.getFloat(b);
        for (int j = 0; j < 256; j++) {
            y[o + j] = d * x.get(b + 4 + j);
        }
    }
}
