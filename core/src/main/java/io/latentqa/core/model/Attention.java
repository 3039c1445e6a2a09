package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Scaled dot-product attention with grouped-query heads (Ainslie et al. 2023,
 * https://arxiv.org/abs/2305.13245), a causal mask and left padding.
 *
 * <p>Grouped-query attention is computed without copying keys and values per query head: the
 * {@code kvMul} query heads that share a key/value head are stacked along the time axis, so one
 * batched matmul per key/value head does the work. Query head {@code h} uses key/value head
 * {@code h / kvMul}, as transformers' {@code repeat_kv} does.
 *
 * <p>Dimension letters: B rows, T query tokens, S keys (cached + new), H query heads, Hkv key/value
 * heads, hs head size.
 */
public final class Attention {

    private Attention() {
    }

    /**
     * softmax(q k^T / sqrt(hs) + mask) v over every head.
     *
     * @param q      (B, T, H, hs) rotated queries
     * @param k      (B, Hkv, S, hs) rotated keys
     * @param v      (B, Hkv, S, hs) values
     * @param mask   (B, 1, 1, T, S) additive mask (0 or -inf), or null when nothing is masked
     * @param kvMul  H / Hkv
     * @return (B, T, H * hs)
     */
    public static NDArray forward(NDArray q, NDArray k, NDArray v, NDArray mask, int kvMul) {
        Shape qs = q.getShape();
        long rows = qs.get(0);
        long length = qs.get(1);
        long heads = qs.get(2);
        long headSize = qs.get(3);
        long kvHeads = heads / kvMul;
        long keys = k.getShape().get(2);
        // (B, T, H, hs) -> (B, H, T, hs) -> (B, Hkv, kvMul * T, hs)
        NDArray grouped = q.transpose(0, 2, 1, 3).reshape(rows, kvHeads, kvMul * length, headSize);
        // scores: (B, Hkv, kvMul * T, hs) x (B, Hkv, hs, S) -> (B, Hkv, kvMul * T, S)
        NDArray att = grouped.matMul(k.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(headSize));
        if (mask != null) {
            // (B, Hkv, kvMul, T, S) + (B, 1, 1, T, S)
            att = att.reshape(rows, kvHeads, kvMul, length, keys).add(mask)
                    .reshape(rows, kvHeads, kvMul * length, keys);
        }
        att = att.softmax(-1);
        // (B, Hkv, kvMul * T, S) x (B, Hkv, S, hs) -> (B, Hkv, kvMul * T, hs)
        NDArray out = att.matMul(v);
        // -> (B, H, T, hs) -> (B, T, H, hs) -> (B, T, H * hs)
        return out.reshape(rows, heads, length, headSize).transpose(0, 2, 1, 3).reshape(rows, length, heads * headSize);
    }

    /**
     * The additive causal mask of a call whose T new tokens follow {@code start} cached columns.
     * Query column {@code c = start + t} of row {@code b} may attend to key column {@code s} when
     * {@code pad[b] <= s <= c}. A padded query ({@code c < pad[b]}) attends to itself only, so its
     * softmax stays finite; its output is never used and no real token attends to it. Built with
     * native ops from the column indices (no (B, T, S) Java buffer per call).
     *
     * @param pads    left padding of each row (columns before the row's first real token)
     * @param start   columns already in the cache
     * @param length  T, new tokens of this call
     * @return (B, 1, 1, T, start + T) of {@code dtype} in {@code manager}, 0 where visible and -inf
     *     elsewhere, or null when nothing is masked (one new token per row and no padding)
     */
    public static NDArray causalMask(int[] pads, int start, int length, NDManager manager, DataType dtype) {
        int rows = pads.length;
        int keys = start + length;
        boolean anyMasked = length > 1;
        for (int pad : pads) {
            anyMasked |= pad > 0;
        }
        if (!anyMasked) {
            return null;
        }
        NDArray key = manager.arange(0, keys).reshape(1, 1, keys);                     // (1, 1, S) key column
        NDArray query = manager.arange(start, keys).reshape(1, length, 1);             // (1, T, 1) query column
        NDArray pad = manager.create(pads).reshape(rows, 1, 1);                        // (B, 1, 1)
        NDArray visible = key.gte(pad).logicalAnd(key.lte(query))                      // (B, T, S)
                .logicalOr(query.lt(pad).logicalAnd(key.eq(query)));
        // log(1) = 0 where visible, log(0) = -inf where hidden
        return visible.toType(dtype, false).log().reshape(rows, 1, 1, length, keys);
    }
}
