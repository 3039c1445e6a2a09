package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.io.WeightSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * All weights of a Llama model as NDArrays of one dtype, in the Hugging Face layout. They belong to
 * the manager they were loaded into (the model's), never require gradients, and are read-only:
 * one copy serves every adapter and every caller.
 *
 * @param tokenEmbedding (V, dim) model.embed_tokens
 * @param layers         one per block
 * @param rmsFinal       (dim) model.norm
 * @param classifier     (V, dim) lm_head; the same array as {@code tokenEmbedding} when tied
 */
public record LlamaWeights(NDArray tokenEmbedding, List<LayerWeights> layers, NDArray rmsFinal, NDArray classifier) {

    public LlamaWeights {
        layers = List.copyOf(layers);
    }

    /**
     * Reads every tensor of {@code source} once, checks its shape against the config, and converts
     * it to {@code dtype} (FLOAT32, or FLOAT64 for gradient checks).
     *
     * @throws IllegalArgumentException naming the tensor that is missing or has the wrong shape
     */
    public static LlamaWeights load(WeightSource source, NDManager manager, DataType dtype) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
            throw new IllegalArgumentException("the engine computes in FLOAT32 (or FLOAT64 for gradient checks), not " + dtype);
        }
        LlamaConfig c = source.config();
        int dim = c.dim();
        int qDim = c.nHeads() * c.headSize();
        Loader loader = new Loader(source, manager, dtype);
        NDArray embedding = loader.tensor("model.embed_tokens.weight", c.vocabSize(), dim);
        List<LayerWeights> layers = new ArrayList<>(c.nLayers());
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "model.layers." + l + ".";
            layers.add(new LayerWeights(
                    loader.tensor(p + "input_layernorm.weight", dim),
                    loader.tensor(p + "self_attn.q_proj.weight", qDim, dim),
                    loader.tensor(p + "self_attn.k_proj.weight", c.kvDim(), dim),
                    loader.tensor(p + "self_attn.v_proj.weight", c.kvDim(), dim),
                    loader.tensor(p + "self_attn.o_proj.weight", dim, qDim),
                    loader.tensor(p + "post_attention_layernorm.weight", dim),
                    loader.tensor(p + "mlp.gate_proj.weight", c.hiddenDim(), dim),
                    loader.tensor(p + "mlp.down_proj.weight", dim, c.hiddenDim()),
                    loader.tensor(p + "mlp.up_proj.weight", c.hiddenDim(), dim)));
        }
        NDArray norm = loader.tensor("model.norm.weight", dim);
        NDArray classifier = c.tiedEmbeddings() ? embedding : loader.tensor("lm_head.weight", c.vocabSize(), dim);
        return new LlamaWeights(embedding, layers, norm, classifier);
    }

    /** Reads one tensor at a time so the loader never holds two copies of the model. */
    private record Loader(WeightSource source, NDManager manager, DataType dtype) {

        NDArray tensor(String name, long... expected) {
            if (!source.names().contains(name)) {
                throw new IllegalArgumentException("the checkpoint has no tensor '" + name + "' (it has "
                        + source.names().size() + " tensors); is it a Llama checkpoint with Hugging Face names?");
            }
            long[] shape = source.shape(name);
            if (!Arrays.equals(shape, expected)) {
                throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                        + " but the config " + source.config() + " needs " + Arrays.toString(expected));
            }
            // DJL wraps a Java-filled direct buffer without copying; copy into memory libtorch owns, so the
            // weights do not count against the JVM's direct-memory limit (the buffer goes at the next GC)
            NDArray staged = manager.create(source.read(name), new Shape(expected));
            NDArray array = dtype == DataType.FLOAT32 ? staged.duplicate() : staged.toType(dtype, true);
            staged.close();
            return array;
        }
    }
}
