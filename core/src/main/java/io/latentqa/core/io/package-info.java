/**
 * Model files: safetensors (read and write), GGUF with ggml dequantization, llama2.c checkpoints and
 * Hugging Face folders, all seen as {@link io.latentqa.core.io.WeightSource}s with Hugging Face tensor
 * names ({@link io.latentqa.core.io.TensorNames}); {@link io.latentqa.core.io.ModelLoader} picks the format.
 */
package io.latentqa.core.io;
