package io.latentqa.capture.runtime;

import java.util.List;

import org.jboss.logging.Logger;

import ai.djl.ndarray.types.DataType;
import io.latentqa.capture.CaptureConfig;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.LlamaConfig;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.Tokenizer;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one target model of this process: loaded once at start (float32), with its tokenizer and chat
 * template. Steering adapters are registered on {@link #model()} by name.
 */
@ApplicationScoped
@Startup
public class ModelHolder {

    private static final Logger LOG = Logger.getLogger(ModelHolder.class);

    private final ModelFiles files;
    private final Llama model;
    private final String modelId;

    ModelHolder(CaptureConfig config) {
        long start = System.nanoTime();
        ModelFiles loaded = ModelLoader.load(config.modelPath());
        try {
            this.model = Llama.load(loaded.weights(), DataType.FLOAT32);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        // the weights now live in the model's NDManager; the tokenizer stays open
        loaded.weights().close();
        this.files = loaded;
        this.modelId = config.modelId().orElse(loaded.modelId());
        if (loaded.chatTemplate() == null) {
            LOG.warnf("model %s has no chat template: chat messages are joined as plain text", modelId);
        }
        LOG.infof("loaded %s (sha256 %s) from %s in %.1f s: %s", modelId, loaded.digest(), config.modelPath(),
                (System.nanoTime() - start) / 1e9, model.config());
    }

    public Llama model() {
        return model;
    }

    public LlamaConfig config() {
        return model.config();
    }

    /** The id clients pass as {@code model} and events carry as {@code model_id}. */
    public String modelId() {
        return modelId;
    }

    /** sha256 (hex) of the weight files. */
    public String digest() {
        return files.digest();
    }

    public Tokenizer tokenizer() {
        return files.tokenizer();
    }

    /** The chat template, or null for models without one. */
    public ChatTemplate chatTemplate() {
        return files.chatTemplate();
    }

    /**
     * Renders messages with the generation prompt and tokenizes them. Models without a template get the
     * contents joined by blank lines (a plain-text continuation).
     */
    public int[] promptIds(List<ChatMessage> messages) {
        ChatTemplate template = files.chatTemplate();
        String text;
        if (template != null) {
            text = template.render(messages, true);
        } else {
            StringBuilder joined = new StringBuilder();
            for (ChatMessage message : messages) {
                joined.append(joined.length() == 0 ? "" : "\n\n").append(message.content());
            }
            text = joined.toString();
        }
        return files.tokenizer().encode(text);
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
