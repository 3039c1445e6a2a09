package io.latentqa.decoder.runtime;

import org.jboss.logging.Logger;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.model.Llama;
import io.latentqa.decoder.DecoderConfig;
import io.latentqa.decoder.reading.DecoderReader;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one base model of this process (float32), loaded at start, and the {@link DecoderReader} over it.
 * Decoder adapters are registered on the same {@link Llama} by {@link DecoderAdapters}: one copy of the
 * weights serves target and decoder.
 */
@ApplicationScoped
@Startup
public class ModelHolder {

    private static final Logger LOG = Logger.getLogger(ModelHolder.class);

    private final ModelFiles files;
    private final Llama model;
    private final DecoderReader reader;

    ModelHolder(DecoderConfig config) {
        long start = System.nanoTime();
        ModelFiles loaded = ModelLoader.load(config.modelPath());
        try {
            this.model = Llama.load(loaded.weights(), DataType.FLOAT32);
            if (loaded.chatTemplate() == null) {
                throw new IllegalStateException("model " + config.modelPath() + " has no chat template; the LatentQA"
                        + " decoder needs a chat model");
            }
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        // the weights now live in the model's NDManager; the tokenizer stays open
        loaded.weights().close();
        this.files = loaded;
        String modelId = config.modelId().orElse(loaded.modelId());
        this.reader = new DecoderReader(model, loaded.tokenizer(),
                LitPromptBuilder.create(loaded.tokenizer(), loaded.chatTemplate()), modelId, loaded.digest());
        LOG.infof("loaded %s (sha256 %s) from %s in %.1f s: %s", modelId, loaded.digest(), config.modelPath(),
                (System.nanoTime() - start) / 1e9, model.config());
    }

    public Llama model() {
        return model;
    }

    public DecoderReader reader() {
        return reader;
    }

    public String modelId() {
        return reader.modelId();
    }

    /** sha256 (hex) of the weights. */
    public String digest() {
        return reader.modelDigest();
    }

    @PreDestroy
    void close() {
        try {
            model.close();
        } finally {
            files.close();
        }
    }
}
