package io.latentqa.core.io;

import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.Tokenizer;

/**
 * Everything {@link ModelLoader} found for one model. Owns its weights and tokenizer: close it.
 *
 * @param modelId      a name for the model (the file or folder name)
 * @param digest       sha256 (lower-case hex) of the weight file, or of the weight files
 *                     concatenated in name order for a sharded checkpoint
 * @param weights      the tensors, Hugging Face names and layout
 * @param tokenizer    the model's tokenizer
 * @param chatTemplate the model's chat template, or null if it has none (llama2.c models)
 */
public record ModelFiles(String modelId, String digest, WeightSource weights, Tokenizer tokenizer,
                         ChatTemplate chatTemplate) implements AutoCloseable {

    @Override
    public void close() {
        try {
            weights.close();
        } finally {
            if (tokenizer instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close the tokenizer of " + modelId, e);
                }
            }
        }
    }
}
