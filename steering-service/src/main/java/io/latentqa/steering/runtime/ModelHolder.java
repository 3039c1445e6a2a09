package io.latentqa.steering.runtime;

import java.util.List;

import org.jboss.logging.Logger;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.model.Llama;
import io.latentqa.steering.SteeringServiceConfig;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one base model of this process (float32), loaded at start: the target that control jobs steer and, with a
 * decoder adapter registered on the same weights, the decoder that is their loss.
 */
@ApplicationScoped
@Startup
public class ModelHolder {

    private static final Logger LOG = Logger.getLogger(ModelHolder.class);

    private final ModelFiles files;
    private final Llama model;
    private final LitPromptBuilder builder;
    private final String modelId;
    private final TargetChat chat;

    ModelHolder(SteeringServiceConfig config) {
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
        this.builder = LitPromptBuilder.create(loaded.tokenizer(), loaded.chatTemplate());
        this.modelId = config.modelId().orElse(loaded.modelId());
        this.chat = new TargetChat(model, builder, loaded.tokenizer());
        LOG.infof("loaded %s (sha256 %s) from %s in %.1f s: %s", modelId, loaded.digest(), config.modelPath(),
                (System.nanoTime() - start) / 1e9, model.config());
    }

    public Llama model() {
        return model;
    }

    public LitPromptBuilder builder() {
        return builder;
    }

    public String modelId() {
        return modelId;
    }

    /** sha256 (hex) of the weights. */
    public String digest() {
        return files.digest();
    }

    /** The target as a chat model over these weights. */
    public TargetChat chat() {
        return chat;
    }

    /**
     * Greedy answers of the target (with a steering adapter, or none) to user turns, each rendered with the
     * model's chat template and its generation prompt.
     */
    public List<String> generate(List<String> userTurns, int maxNewTokens, String adapter) {
        return chat.answer(userTurns.stream().map(TargetChat::user).toList(), maxNewTokens, adapter).stream()
                .map(TargetChat.Answer::text).toList();
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
