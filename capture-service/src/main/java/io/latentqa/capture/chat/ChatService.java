package io.latentqa.capture.chat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.latentqa.capture.CaptureConfig;
import io.latentqa.capture.activation.ActivationRecorder;
import io.latentqa.capture.activation.CaptureSpec;
import io.latentqa.capture.activation.CapturedEvent;
import io.latentqa.capture.adapter.SteeringAdapterLoader;
import io.latentqa.capture.generate.BatchWorker;
import io.latentqa.capture.generate.GenerationJob;
import io.latentqa.capture.generate.GenerationListener;
import io.latentqa.capture.generate.GenerationResult;
import io.latentqa.capture.generate.Sampling;
import io.latentqa.capture.rest.ProblemException;
import io.latentqa.capture.runtime.ModelHolder;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.tokenizer.ChatMessage;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The path of a chat request (from REST or from a dataset job): check it, render and tokenize the dialog,
 * queue it for the batching worker, and turn what it captured into an activation event.
 */
@ApplicationScoped
public class ChatService {

    private static final SecureRandom SEEDS = new SecureRandom();

    private final ModelHolder holder;
    private final BatchWorker worker;
    private final ActivationRecorder recorder;
    private final SteeringAdapterLoader adapters;
    private final ObjectMapper json;
    private final int defaultMaxTokens;

    ChatService(ModelHolder holder, BatchWorker worker, ActivationRecorder recorder, SteeringAdapterLoader adapters,
            ObjectMapper json, CaptureConfig config) {
        this.holder = holder;
        this.worker = worker;
        this.recorder = recorder;
        this.adapters = adapters;
        this.json = json;
        this.defaultMaxTokens = config.defaultMaxTokens();
    }

    /**
     * A request ready to generate.
     *
     * @param requestId request id, event id and Kafka key
     * @param messages  the dialog as given
     * @param promptIds the rendered, tokenized dialog with the generation prompt
     * @param sampling  budget and sampling (the seed is always set)
     * @param stop      stop strings
     * @param adapter   steering adapter, or null
     * @param capture   what to capture
     */
    public record Prepared(String requestId, List<ChatMessage> messages, int[] promptIds, Sampling sampling,
            List<String> stop, String adapter, CaptureSpec capture) {
    }

    /** A new request id: {@code chatcmpl-} and 32 hex digits. */
    public static String newRequestId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Checks and tokenizes a request.
     *
     * @param maxTokens null for the service default (cut to the room left in the context)
     * @param seed      null for a random seed
     * @throws ProblemException 400 for an unknown adapter or a dialog that does not fit the context
     */
    public Prepared prepare(String requestId, List<ChatMessage> messages, Integer maxTokens, float temperature,
            float topP, Long seed, List<String> stop, String adapter, CaptureSpec capture) {
        if (adapter != null && !adapters.known().contains(adapter)) {
            String why = adapters.failure(adapter).map(reason -> " It was announced but could not be loaded: " + reason)
                    .orElse("");
            Set<String> known = adapters.known();
            throw new ProblemException("unknown-adapter", "Unknown steering adapter", 400, "no steering adapter '"
                    + adapter + "' is loaded." + why + " Known steering adapters: "
                    + (known.isEmpty() ? "none" : String.join(", ", known))
                    + " (see GET /v1/steering-adapters).");
        }
        int[] prompt;
        try {
            prompt = holder.promptIds(messages);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ProblemException("invalid-messages", "Invalid message list", 400,
                    "the chat template of " + holder.modelId() + " refused the messages: " + e.getMessage());
        }
        int context = holder.config().contextLength();
        if (prompt.length >= context) {
            throw new ProblemException("context-length-exceeded", "Prompt too long", 400, "the messages take "
                    + prompt.length + " tokens but " + holder.modelId() + " has a context of " + context
                    + " tokens, which must also hold the answer; shorten the messages");
        }
        int room = context - prompt.length;
        if (maxTokens != null && maxTokens > room) {
            throw new ProblemException("context-length-exceeded", "Prompt too long", 400, "the messages take "
                    + prompt.length + " tokens and max_tokens asks for " + maxTokens + ", more than the context of "
                    + context + " tokens holds; ask for at most " + room + " tokens or shorten the messages");
        }
        int budget = maxTokens != null ? maxTokens : Math.min(defaultMaxTokens, room);
        long actualSeed = seed != null ? seed : SEEDS.nextLong();
        Sampling sampling = new Sampling(budget, temperature, topP, actualSeed);
        return new Prepared(requestId, List.copyOf(messages), prompt, sampling, stop, adapter, capture);
    }

    /** Queues a prepared request; the listener (or null) receives the text as it comes. */
    public GenerationJob submit(Prepared prepared, GenerationListener listener) {
        GenerationJob job = new GenerationJob(prepared.requestId(), prepared.promptIds(), prepared.sampling(),
                prepared.stop(), prepared.adapter(), prepared.capture().readLayers(), listener);
        worker.submit(job);
        return job;
    }

    /** Publishes the request's activation event; null when capture is off. */
    public CapturedEvent capture(Prepared prepared, GenerationResult result, ActivationEvent.Source source) {
        if (!prepared.capture().enabled()) {
            return null;
        }
        return recorder.record(prepared.requestId(), source, prepared.capture(), result,
                dialog(prepared.messages(), result.text()));
    }

    /** The dialog with the answer, as the JSON the event's {@code dialog} metadata holds. */
    String dialog(List<ChatMessage> messages, String answer) {
        List<ChatMessage> dialog = new ArrayList<>(messages);
        dialog.add(ChatMessage.assistant(answer));
        ArrayNode array = json.createArrayNode();
        for (ChatMessage message : dialog) {
            array.addObject().put("role", message.role()).put("content", message.content());
        }
        try {
            return json.writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public ModelHolder holder() {
        return holder;
    }
}
