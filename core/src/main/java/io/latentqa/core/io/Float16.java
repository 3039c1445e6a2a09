package io.latentqa.core.io;

/**
 * Conversions between float32 and the two 16-bit float formats found in checkpoints: IEEE half
 * (F16: 1 sign, 5 exponent, 10 mantissa bits) and bfloat16 (BF16: the top 16 bits of a float32).
 * Java 17 has no {@code Float.float16ToFloat}, so these are written out; both directions are exact
 * where the value is representable and round to nearest, ties to even, where it is not.
 */
public final class Float16 {

    /** All 65,536 half values as float32: dequantizing a block is then one array lookup per scale. */
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
            HALF_TO_FLOAT[h] = computeHalfToFloat((short) h);
        }
    }

    private Float16() {
    }

    /** IEEE half bits to float32 (exact: every half is a float32). */
    public static float halfToFloat(short half) {
        return HALF_TO_FLOAT[half & 0xFFFF];
    }

    private static float computeHalfToFloat(short half) {
        int sign = (half & 0x8000) << 16;
        int exponent = (half >>> 10) & 0x1F;
        int mantissa = half & 0x3FF;
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1F) {
            // infinity or NaN (payload kept)
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** float32 to IEEE half bits, round to nearest even; overflow gives infinity, NaN stays NaN. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            // infinity, or NaN with a mantissa bit forced so it cannot become infinity
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (halfExponent <= 0) {
            // subnormal half: m * 2^-24 with m = full mantissa >> shift
            int shift = 126 - exponent; // 14 (largest subnormal) .. 24
            if (shift > 24) {
                return (short) sign; // below half of the smallest subnormal
            }
            int full = mantissa | 0x800000;
            int m = full >>> shift;
            int rest = full & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (m & 1) == 1)) {
                m++; // may carry into the smallest normal, which is the right encoding
            }
            return (short) (sign | m);
        }
        int m = mantissa >>> 13;
        int rest = mantissa & 0x1FFF;
        int result = (halfExponent << 10) | m;
        if (rest > 0x1000 || (rest == 0x1000 && (m & 1) == 1)) {
            result++; // a carry into the exponent is correct, up to infinity
        }
        return (short) (sign | result);
    }

    /** bfloat16 bits to float32: the 16 bits become the top half of the float (exact). */
    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
    }

    /** float32 to bfloat16 bits, round to nearest even; NaN stays NaN (quiet bit set). */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
