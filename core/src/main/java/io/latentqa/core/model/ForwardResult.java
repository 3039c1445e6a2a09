package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link Llama#forward} call returns. Arrays belong to the manager passed to {@code forward}
 * (and to the caller's {@code NDScope}, if one is open); shapes follow {@link RowPositions}.
 *
 * @param logits    the requested logits, or null when none were requested
 * @param residuals block index -> residual stream after that block (after any patch of that block),
 *                  at the request's read positions
 */
public record ForwardResult(NDArray logits, Map<Integer, NDArray> residuals) {

    public ForwardResult {
        residuals = Collections.unmodifiableMap(new TreeMap<>(residuals));
    }

    /** The residual after block {@code layer}; fails if it was not requested. */
    public NDArray residual(int layer) {
        NDArray array = residuals.get(layer);
        if (array == null) {
            throw new IllegalArgumentException("the residual after block " + layer + " was not read; read were " + residuals.keySet());
        }
        return array;
    }
}
