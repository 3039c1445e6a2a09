package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import io.latentqa.core.lora.LoraLinear;

/**
 * A linear layer without bias, {@code y = x W^T}, plus an optional LoRA delta. The weight stays in
 * the Hugging Face {@code [out, in]} layout: PyTorch's {@code linear} multiplies by its transpose
 * without a copy (measured as fast as a pre-transposed weight).
 */
public final class Projection {

    private Projection() {
    }

    /**
     * @param x        (..., in)
     * @param weight   (out, in)
     * @param lora     the adapter's pair for this layer, or null
     * @param training whether LoRA dropout is active
     * @return (..., out), in the manager of {@code x}
     */
    public static NDArray apply(NDArray x, NDArray weight, LoraLinear lora, boolean training) {
        NDArray y = Linear.linear(x, weight).singletonOrThrow();
        return lora == null ? y : y.add(lora.delta(x, training));
    }
}
