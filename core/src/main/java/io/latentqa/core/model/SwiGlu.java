package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.latentqa.core.lora.LoraLinear;

/**
 * The SwiGLU feed-forward layer (Shazeer 2020, https://arxiv.org/abs/2002.05202):
 * {@code down(silu(gate(x)) * up(x))}; in PyTorch, {@code w2(F.silu(w1(x)) * w3(x))}.
 */
public final class SwiGlu {

    private SwiGlu() {
    }

    /**
     * @param xb       (B, T, dim) normalised input
     * @param w        the block's weights (gate w1, up w3, down w2)
     * @param gate     LoRA on gate_proj or null
     * @param up       LoRA on up_proj or null
     * @param down     LoRA on down_proj or null
     * @param training whether LoRA dropout is active
     * @return (B, T, dim)
     */
    public static NDArray forward(NDArray xb, LayerWeights w, LoraLinear gate, LoraLinear up, LoraLinear down,
                                  boolean training) {
        NDArray gated = Projection.apply(xb, w.w1(), gate, training);   // (B, T, hidden)
        NDArray linear = Projection.apply(xb, w.w3(), up, training);    // (B, T, hidden)
        // silu(g) = g * sigmoid(g); DJL has no silu (and its swish adds a multiplication by beta)
        NDArray hidden = gated.mul(Activation.sigmoid(gated)).mul(linear); // (B, T, hidden)
        return Projection.apply(hidden, w.w2(), down, training);       // (B, T, dim)
    }
}
