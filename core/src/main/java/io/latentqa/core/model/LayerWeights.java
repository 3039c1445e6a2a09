package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;

/**
 * The weights of one transformer block, Hugging Face layout ({@code [out, in]} linear weights,
 * q/k rows half-split per head). Names follow llama2.c; the Hugging Face name is in each comment.
 *
 * @param rmsAtt (dim) input_layernorm
 * @param wq     (H * hs, dim) self_attn.q_proj
 * @param wk     (Hkv * hs, dim) self_attn.k_proj
 * @param wv     (Hkv * hs, dim) self_attn.v_proj
 * @param wo     (dim, H * hs) self_attn.o_proj
 * @param rmsFfn (dim) post_attention_layernorm
 * @param w1     (hidden, dim) mlp.gate_proj
 * @param w2     (dim, hidden) mlp.down_proj
 * @param w3     (hidden, dim) mlp.up_proj
 */
public record LayerWeights(
        NDArray rmsAtt,
        NDArray wq,
        NDArray wk,
        NDArray wv,
        NDArray wo,
        NDArray rmsFfn,
        NDArray w1,
        NDArray w2,
        NDArray w3) {
}
