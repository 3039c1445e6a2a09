package io.latentqa.steering.runtime;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.generate.Generation;
import io.latentqa.core.generate.GenerationSettings;
import io.latentqa.core.generate.Generator;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.ReadPrompt;
import io.latentqa.core.model.Llama;
import io.latentqa.core.tokenizer.ChatMessage;
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
    /** Rows per generation batch. */
    private static final int GENERATION_BATCH = 8;

    private final ModelFiles files;
    private final Llama model;
    private final LitPromptBuilder builder;
    private final String modelId;

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

    /**
     * Greedy answers of the target (with a steering adapter, or none) to user turns, each rendered with the
     * model's chat template and its generation prompt.
     */
    public List<String> generate(List<String> userTurns, int maxNewTokens, String adapter) {
        Generator generator = new Generator(model);
        GenerationSettings settings = GenerationSettings.greedy(maxNewTokens, files.tokenizer().stopTokens());
        List<String> answers = new ArrayList<>();
        for (int from = 0; from < userTurns.size(); from += GENERATION_BATCH) {
            List<int[]> prompts = new ArrayList<>();
            for (String turn : userTurns.subList(from, Math.min(userTurns.size(), from + GENERATION_BATCH))) {
                prompts.add(builder.read(ReadPrompt.unmasked(List.of(ChatMessage.user(turn)), true)).ids());
            }
            for (Generation generation : generator.generate(prompts, settings, adapter, List.of())) {
                answers.add(files.tokenizer().decode(withoutStop(generation)).strip());
            }
        }
        return answers;
    }

    private int[] withoutStop(Generation generation) {
        int[] tokens = generation.tokens();
        int n = tokens.length;
        if (n > 0 && files.tokenizer().stopTokens().contains(tokens[n - 1])) {
            n--;
        }
        return java.util.Arrays.copyOf(tokens, n);
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
