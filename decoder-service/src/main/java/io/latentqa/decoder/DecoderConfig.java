package io.latentqa.decoder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the decoder service ({@code latentqa.decoder.*}); comments on each in application.properties. */
@ConfigMapping(prefix = "latentqa.decoder")
public interface DecoderConfig {

    /** Directory of the local blob store that holds claim-checked activation events. */
    Path blobDir();

    /** The base model (target and decoder): a .gguf file, a folder holding one, a Hugging Face folder. */
    Path modelPath();

    /** Overrides the model id events of this model carry (default: the file or folder name). */
    Optional<String> modelId();

    /**
     * The decoder that ships with the product: a PEFT adapter folder (the repository's {@code decoders/<id>/})
     * with a {@code SHA256SUMS} file, made the default at start. Absent: the base model reads until a decoder
     * adapter is published.
     */
    Optional<Path> shippedAdapter();

    /** Block whose output the base-model decoder reads (an adapter's own metadata overrides it). */
    @WithDefault("15")
    int readLayer();

    /** Block after which the vectors replace the stream (an adapter's own metadata overrides it). */
    @WithDefault("0")
    int writeLayer();

    /** Generation defaults of POST /v1/read. */
    Read read();

    /** The stream cache of recent activation events. */
    Cache cache();

    /** Standing monitors over latentqa.activations. */
    Monitor monitor();

    interface Read {
        /** max new tokens when a request gives none (method doc §5: 100). */
        @WithDefault("100")
        int maxNewTokens();

        /** Upper bound a request may ask for. */
        @WithDefault("512")
        int maxNewTokensLimit();

        /** Most questions in one request. */
        @WithDefault("32")
        int maxQuestions();
    }

    interface Cache {
        /** Most bytes of activations kept (float32 in memory). */
        @WithDefault("268435456")
        long maxBytes();

        /** How long an event stays in the cache. */
        @WithDefault("15m")
        Duration ttl();
    }

    interface Monitor {
        /** Events waiting for the monitors; past it new events are shed (counted and logged). */
        @WithDefault("64")
        int queueCapacity();

        /** Most events evaluated in one batch. */
        @WithDefault("4")
        int batchEvents();

        /** Most decoder rows (event x monitor) in one forward batch. */
        @WithDefault("8")
        int maxRows();

        /** max new tokens of a regular-expression monitor's generated answer. */
        @WithDefault("48")
        int maxNewTokens();
    }
}
