package io.latentqa.steering;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the steering service ({@code latentqa.steering.*}); comments on each in application.properties. */
@ConfigMapping(prefix = "latentqa.steering")
public interface SteeringServiceConfig {

    /** The target model: a .gguf file, a folder holding one, a Hugging Face folder, a llama2.c .bin. */
    Path modelPath();

    /** Overrides the model id adapters and events carry (default: the file or folder name). */
    Optional<String> modelId();

    /** Where control jobs write their adapters and reports. */
    Path stateDir();

    /** The LatentQA data folder: train/system.json (the built-in prompt pool) and prompts/default.json. */
    Path dataDir();

    /** Decoder adapters shipped with the product ({@code decoders/<id>}), usable as a loss by id. */
    Path shippedDecoders();

    /** The decoder a control uses when it names none: the adapter decoder-service serves by default. */
    String defaultDecoder();

    /** Block the base model read as a decoder ({@code "decoder": "base"}) reads; adapters carry their own. */
    @WithDefault("15")
    int baseReadLayer();

    /** Directory of the local blob store that holds claim-checked activation events. */
    Path blobDir();

    /** Control scores on latentqa.activations. */
    Score score();

    interface Score {
        /** Events waiting to be scored; past it new events are shed (counted and logged). */
        @WithDefault("64")
        int queueCapacity();
    }

    /** The control job runner. */
    Runner runner();

    interface Runner {
        /** false: jobs are only queued (tests of the API). */
        @WithDefault("true")
        boolean enabled();

        /** How often an idle runner looks for a queued job. */
        @WithDefault("500")
        long pollMillis();
    }
}
