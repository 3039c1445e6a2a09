package io.latentqa.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;

/**
 * The low-rank pair of one adapted linear layer: {@code delta(x) = scale * B(A(dropout(x)))}, in
 * PEFT's layout and order of operations.
 *
 * @param a       (r, in) lora_A, the trainable down-projection
 * @param b       (out, r) lora_B, the trainable up-projection
 * @param scale   alpha / r
 * @param dropout probability of dropping an input element in training passes
 */
public record LoraLinear(NDArray a, NDArray b, float scale, float dropout) {

    /**
     * @param x        (..., in)
     * @param training whether dropout is active
     * @return (..., out), in the manager of {@code x}
     */
    public NDArray delta(NDArray x, boolean training) {
        NDArray input = training && dropout > 0f ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
        NDArray down = Linear.linear(input, a).singletonOrThrow(); // (..., r)
        return Linear.linear(down, b).singletonOrThrow().mul(scale); // (..., out)
    }
}
