package io.latentqa.core.io;

import io.latentqa.core.model.LlamaConfig;

import java.util.Set;

/**
 * A checkpoint seen as named float32 tensors with Hugging Face names and layout, whatever the file
 * format (see {@link TensorNames}). Tensors are read one at a time so a loader never holds two
 * copies of the model.
 */
public interface WeightSource extends AutoCloseable {

    LlamaConfig config();

    /** Hugging Face tensor names present, e.g. {@code model.layers.0.self_attn.q_proj.weight}. */
    Set<String> names();

    /** Shape in Hugging Face order, e.g. {@code [out, in]} for a linear layer. */
    long[] shape(String name);

    /** The tensor dequantized to float32, row-major in {@link #shape(String)} order. */
    float[] read(String name);

    @Override
    default void close() {
    }
}
