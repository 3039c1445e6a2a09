package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.model.LlamaConfig.RopeStyle;

/**
 * Rotary position embeddings (Su et al. 2021, https://arxiv.org/abs/2104.09864): each pair of
 * dimensions of a query or key head is rotated by the angle {@code pos * theta^(-2i/hs)} for pair
 * {@code i}. Two conventions pair the dimensions differently:
 * <ul>
 *   <li>{@link RopeStyle#ADJACENT_PAIRS}: (2i, 2i+1), as llama2.c's run.c (and llama.cpp's storage);</li>
 *   <li>{@link RopeStyle#HALF_SPLIT}: (i, i + hs/2), as Hugging Face transformers' {@code rotate_half}.</li>
 * </ul>
 * Both give the same attention when the q/k weight rows are permuted accordingly (the loaders do
 * that, so the engine's weights are always half-split).
 *
 * <p>Angles are computed in float32 exactly as transformers and run.c do ({@code 1/theta^(2i/hs)}
 * in float, times the position in float), so both references are matched to the last bit of the
 * angle; cos and sin are PyTorch's float32 functions, as in transformers. Dimension letters: B, T, H heads, hs head size.
 */
public final class Rope {

    private final RopeStyle style;
    private final int headSize;
    private final float[] inverseFrequencies; // (hs/2)

    /**
     * @param style    pairing convention
     * @param headSize hs, even
     * @param theta    frequency base (10000 for Llama 2, 100000 for SmolLM2)
     */
    public Rope(RopeStyle style, int headSize, float theta) {
        if (headSize % 2 != 0) {
            throw new IllegalArgumentException("rotary embeddings need an even head size, got " + headSize);
        }
        this.style = style;
        this.headSize = headSize;
        this.inverseFrequencies = new float[headSize / 2];
        for (int i = 0; i < headSize / 2; i++) {
            // transformers: 1.0 / (base ** (arange(0, hs, 2).float() / hs)); run.c: 1.0f / powf(10000.0f, hd / (float) hs)
            float exponent = (float) (2 * i) / (float) headSize;
            inverseFrequencies[i] = 1.0f / (float) Math.pow(theta, exponent);
        }
    }

    public RopeStyle style() {
        return style;
    }

    /**
     * Cosine and sine tables for the given positions, shaped to broadcast over heads. Computed with
     * native ops (angles and cos/sin in float32, as transformers computes them), so no large Java
     * buffer is allocated per call.
     *
     * @param positions (B, T) position id of each cell
     * @return {cos, sin}, each (B, T, 1, hs) for half-split, where cos is written twice and sin
     *     as {@code [-sin, sin]} (the sign of rotate_half folded in), or (B, T, 1, hs/2) for
     *     adjacent pairs; of type {@code dtype}, in {@code manager}
     */
    public NDArray[] tables(int[][] positions, NDManager manager, DataType dtype) {
        int rows = positions.length;
        int length = positions[0].length;
        float[] flat = new float[rows * length];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < length; t++) {
                flat[b * length + t] = positions[b][t]; // exact: positions are far below 2^24
            }
        }
        NDArray inverse = manager.create(inverseFrequencies);                                  // (hs/2)
        // angles pos * inv_freq: (B, T, 1) * (hs/2) -> (B, T, hs/2)
        NDArray angles = manager.create(flat, new Shape(rows, length, 1)).mul(inverse);
        NDArray cos = angles.cos();
        NDArray sin = angles.sin();
        if (style == RopeStyle.HALF_SPLIT) {
            cos = cos.concat(cos, -1);                                                          // (B, T, hs)
            sin = sin.neg().concat(sin, -1);
        }
        cos = cos.expandDims(2);                                                                // (B, T, 1, width)
        sin = sin.expandDims(2);
        if (dtype != DataType.FLOAT32) {
            cos = cos.toType(dtype, false);
            sin = sin.toType(dtype, false);
        }
        return new NDArray[] {cos, sin};
    }

    /**
     * Rotates every head of {@code x}.
     *
     * @param x   (B, T, H, hs)
     * @param cos from {@link #tables}
     * @param sin from {@link #tables}
     * @return (B, T, H, hs)
     */
    public NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        return style == RopeStyle.HALF_SPLIT ? halfSplit(x, cos, sin) : adjacentPairs(x, cos, sin);
    }

    /**
     * transformers: {@code x * cos + rotate_half(x) * sin} with rotate_half(x) = cat(-x2, x1); here
     * the minus sign lives in the sine table ({@code [-sin, sin]}), which gives the same products.
     */
    private NDArray halfSplit(NDArray x, NDArray cos, NDArray signedSin) {
        int half = headSize / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));  // (B, T, H, hs/2)
        NDArray x2 = x.get(new NDIndex("..., {}:", half));  // (B, T, H, hs/2)
        NDArray swapped = x2.concat(x1, -1);                // (B, T, H, hs)
        return x.mul(cos).add(swapped.mul(signedSin));
    }

    /** run.c: (x0, x1) -> (x0 cos - x1 sin, x0 sin + x1 cos) for each adjacent pair. */
    private NDArray adjacentPairs(NDArray x, NDArray cos, NDArray sin) {
        Shape shape = x.getShape();
        NDArray pairs = x.reshape(shape.get(0), shape.get(1), shape.get(2), headSize / 2, 2); // (B, T, H, hs/2, 2)
        NDArray x0 = pairs.get(new NDIndex("..., 0"));  // (B, T, H, hs/2)
        NDArray x1 = pairs.get(new NDIndex("..., 1"));
        NDArray out0 = x0.mul(cos).sub(x1.mul(sin));
        NDArray out1 = x0.mul(sin).add(x1.mul(cos));
        return out0.stack(out1, -1).reshape(shape);      // (B, T, H, hs/2, 2) -> (B, T, H, hs)
    }
}
