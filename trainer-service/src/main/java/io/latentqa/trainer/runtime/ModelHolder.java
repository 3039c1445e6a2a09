package io.latentqa.trainer.runtime;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.model.Llama;
import io.latentqa.trainer.TrainerConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The base model the trainer works on, loaded once (float32) and kept: target and decoder share its
 * weights (the decoder is an adapter on it). Loading another model replaces it.
 */
@ApplicationScoped
public class ModelHolder {

    /** A loaded model with its files (tokenizer, template, digest) and LIT prompt builder. */
    public record Loaded(Path path, ModelFiles files, Llama model, LitPromptBuilder builder) {
    }

    private final TrainerConfig config;
    private final Map<Path, Integer> layerCounts = new ConcurrentHashMap<>();
    private volatile Loaded loaded;

    ModelHolder(TrainerConfig config) {
        this.config = config;
    }

    /** The absolute path of a model named in a spec (relative to the models folder). */
    public Path resolve(String model) {
        Path path = Path.of(model);
        if (!path.isAbsolute()) {
            path = Path.of(config.modelsDir()).resolve(path);
        }
        return path.toAbsolutePath().normalize();
    }

    /**
     * Number of blocks of a model, for checking run specs. Not synchronized with {@link #get}: a spec posted
     * while the runner loads weights (minutes on a busy machine) is checked from the file's header at once.
     */
    public int layers(String model) {
        Path path = resolve(model);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("no model at " + path + "; give a path relative to " + config.modelsDir()
                    + " or an absolute one (a .gguf file, a Hugging Face folder or a llama2.c .bin)");
        }
        Loaded held = loaded;
        if (held != null && held.path().equals(path)) {
            return held.model().config().nLayers();
        }
        // the header is enough: don't load float32 weights just to check a spec
        return layerCounts.computeIfAbsent(path, p -> {
            try (ModelFiles files = ModelLoader.load(p)) {
                return files.weights().config().nLayers();
            }
        });
    }

    /** The model, loaded if needed. */
    public synchronized Loaded get(String model) {
        Path path = resolve(model);
        if (loaded != null && loaded.path().equals(path)) {
            return loaded;
        }
        close();
        ModelFiles files = ModelLoader.load(path);
        try {
            Llama llama = Llama.load(files.weights(), DataType.FLOAT32);
            loaded = new Loaded(path, files, llama, LitPromptBuilder.create(files.tokenizer(), files.chatTemplate()));
            return loaded;
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    @PreDestroy
    synchronized void close() {
        if (loaded != null) {
            loaded.model().close();
            loaded.files().close();
            loaded = null;
        }
    }
}
