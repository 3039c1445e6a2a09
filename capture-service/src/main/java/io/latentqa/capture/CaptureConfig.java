package io.latentqa.capture;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.latentqa.core.events.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the capture service ({@code latentqa.capture.*}); defaults and comments in application.properties. */
@ConfigMapping(prefix = "latentqa.capture")
public interface CaptureConfig {

    /** The served model: a .gguf file, a folder holding one, a Hugging Face folder or a llama2.c .bin. */
    Path modelPath();

    /** Overrides the model id reported by /v1/models and written into events (default: the file or folder name). */
    Optional<String> modelId();

    /** Default policy: capture every chat request that does not say otherwise. */
    @WithDefault("true")
    boolean enabled();

    /** Blocks whose output residual is captured when a request names none. */
    List<Integer> defaultLayers();

    /** Positions captured when a request names none: all, last:K, range:A:B or mean. */
    @WithDefault("all")
    String defaultPositions();

    /** Activation dtype when a request names none: BF16, F16 or F32. */
    @WithDefault("BF16")
    String defaultDtype();

    /** Redaction switch: when true no event carries the dialog text, whatever the request says. */
    @WithDefault("false")
    boolean redact();

    /** Largest event (bytes) published inline; larger ones go to the blob store behind a claim check. */
    @WithDefault("1048576")
    long inlineLimit();

    /** Directory of the local blob store (shared with the services that resolve claim checks). */
    Path blobDir();

    /** Kafka topic of activation events. */
    @WithDefault(Topics.ACTIVATIONS)
    String activationsTopic();

    /** max_tokens when a request gives none. */
    @WithDefault("256")
    int defaultMaxTokens();

    /** Generation batching. */
    Batch batch();

    /** The on-disk spool in front of the Kafka producer. */
    Spool spool();

    /** Dataset capture jobs (latentqa.capture-requests). */
    Jobs jobs();

    interface Batch {
        /** Most requests that share one forward pass. */
        @WithDefault("8")
        int maxSize();

        /**
         * Most padded prompt tokens (rows x longest prompt) in one batch: bounds the prefill's attention
         * memory when long prompts arrive together. A prompt longer than this still runs, alone.
         */
        @WithDefault("16384")
        int maxTokens();

        /** How long the worker waits for more requests once one arrived and the queue is empty. */
        @WithDefault("15ms")
        Duration window();

        /**
         * Longer wait, right after a batch, for the clients of that batch: those that just got their answers
         * are likely sending their next request, and one batch together beats two cohorts taking turns. Ends
         * as soon as they are back.
         */
        @WithDefault("150ms")
        Duration regroupWindow();
    }

    interface Spool {
        /** Directory of spooled records (one fsync'ed file per record, sent in order). */
        Path dir();

        /** Most bytes the spool holds; past it new records are rejected (counted and logged). */
        @WithDefault("1073741824")
        long maxBytes();

        /** Most records the spool holds. */
        @WithDefault("100000")
        int maxRecords();

        /** Records read from the spool per round; they are sent one at a time, in order. */
        @WithDefault("32")
        int sendWindow();

        /** How long one send may take before the broker is taken as unreachable (Kafka delivery.timeout.ms). */
        @WithDefault("15s")
        Duration deliveryTimeout();

        /** Longest pause between retries while the broker is unreachable. */
        @WithDefault("2s")
        Duration maxBackoff();
    }

    interface Jobs {
        /** Topic of replies when a capture request names none. */
        @WithDefault(Topics.CAPTURE_RESULTS)
        String replyTopic();
    }
}
