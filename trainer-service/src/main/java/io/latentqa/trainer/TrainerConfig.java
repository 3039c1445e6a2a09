package io.latentqa.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** trainer-service settings ({@code latentqa.trainer.*}). */
@ConfigMapping(prefix = "latentqa.trainer")
public interface TrainerConfig {

    /** Run folders (checkpoints, reports) and published adapters live under here. */
    @WithDefault(".latentqa/trainer")
    String stateDir();

    /** The decoders shipped with the product (the repository's {@code decoders/}), which a spec's {@code init} may name. */
    @WithDefault("decoders")
    String shippedDecoders();

    /** Folder that relative model paths in run specs resolve against. */
    @WithDefault("../shared/models")
    String modelsDir();

    /** The target model when a spec names none (relative to models-dir, or absolute). */
    @WithDefault("smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf")
    String defaultModel();

    /** Split trained on when a spec names none. */
    @WithDefault("train")
    String defaultSplit();

    /** Split evaluated on when a spec names none. */
    @WithDefault("eval")
    String defaultEvalSplit();

    /** Where QA records come from. */
    Records records();

    /** The runner that takes queued runs one at a time. */
    Runner runner();

    /** Also publish a {@code progress} event per step on latentqa.model-events (off: other consumers reject them). */
    @WithDefault("false")
    boolean publishProgress();

    interface Records {
        /** {@code http} (dataset-service) or {@code file} (the LatentQA JSON files). */
        @WithDefault("http")
        String source();

        /** dataset-service's root URL (source http). */
        @WithDefault("http://127.0.0.1:8085")
        String url();

        /** The LatentQA data folder (source file). */
        Optional<String> dataDir();
    }

    interface Runner {
        /** Whether this process trains queued runs (off: it only queues them). */
        @WithDefault("true")
        boolean enabled();

        /** How often the runner looks for queued runs, in milliseconds. */
        @WithDefault("1000")
        long pollMillis();
    }
}
