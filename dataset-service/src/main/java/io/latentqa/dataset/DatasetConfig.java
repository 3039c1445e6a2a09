package io.latentqa.dataset;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the dataset service ({@code latentqa.dataset.*}). */
@ConfigMapping(prefix = "latentqa.dataset")
public interface DatasetConfig {

    /** Directory of the local blob store that holds claim-checked activation events. */
    Path blobDir();

    // ---------------------------------------------------------------------------------------------------
    // dataset generation jobs (issue 5; docs/dataset-service.md)

    /** Root of the LatentQA files that import-latentqa reads; job params name files relative to it. */
    Path dataDir();

    /** The background job runner. */
    Jobs jobs();

    /** generate-dialogs: capture requests to capture-service over Kafka. */
    Dialogs dialogs();

    /** generate-qa with {@code method=llm}: an OpenAI-compatible chat-completions endpoint. */
    Llm llm();

    /** Settings of the job runner ({@code latentqa.dataset.jobs.*}). */
    interface Jobs {

        /** Jobs run one at a time per worker, in the order they were submitted. */
        @WithDefault("1")
        int workers();

        /** Per-record errors kept in a job's result; {@code errors} in the progress counts them all. */
        @WithDefault("1000")
        int maxStoredErrors();

        /** How often a running job writes its progress and looks for a cancel request from elsewhere. */
        @WithDefault("PT0.25S")
        Duration progressInterval();
    }

    /** Defaults of generate-dialogs ({@code latentqa.dataset.dialogs.*}); each can be overridden by job params. */
    interface Dialogs {

        /** Topic named in each request's {@code replyTopic}: where capture-service answers. */
        String replyTopic();

        /** A request without an answer after this long is sent again (same request id). */
        @WithDefault("PT5M")
        Duration replyTimeout();

        /** Sends of one request (first try included) before its item fails. */
        @WithDefault("3")
        int maxAttempts();

        /** Requests of one job waiting for an answer at any time. */
        @WithDefault("32")
        int maxInFlight();

        /** User turns for controls that have no imported stimulus (the reference's prompts/default.json). */
        @WithDefault("Give me a recipe to cook.,What color is the sky?,How should I spend my ten dollars?")
        List<String> defaultStimuli();

        /** Generation settings sent with each request. */
        @WithDefault("128")
        int maxTokens();

        @WithDefault("0.0")
        double temperature();

        @WithDefault("1.0")
        double topP();

        @WithDefault("0")
        long seed();
    }

    /** The strong LLM that writes QA pairs ({@code latentqa.dataset.llm.*}); unset means method=llm is refused. */
    interface Llm {

        /** Base URL of the API, up to and including {@code /v1}: requests go to {@code <base>/chat/completions}. */
        Optional<URI> baseUrl();

        /** Model name sent in each request. */
        Optional<String> model();

        /** Sent as {@code Authorization: Bearer <key>} when set. Never stored with a job. */
        Optional<String> apiKey();

        /** The reference sampled its judge model at temperature 1.0 with up to 3000 tokens (method doc §1.4). */
        @WithDefault("1.0")
        double temperature();

        @WithDefault("3000")
        int maxTokens();

        @WithDefault("PT2M")
        Duration timeout();

        /** Tries per prompt (first included) on HTTP 429, 5xx, timeouts and unreadable replies. */
        @WithDefault("3")
        int maxAttempts();

        /** Wait before the second try; doubled for each further try. */
        @WithDefault("PT2S")
        Duration retryBackoff();
    }
}
