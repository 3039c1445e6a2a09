package io.latentqa.decoder.rest;

import java.util.List;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.InvalidActivationEventException;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.decoder.activation.ActivationLog;
import io.latentqa.decoder.cache.StreamCache;
import io.latentqa.decoder.reading.IncompatibleActivationsException;
import io.latentqa.decoder.reading.ReadVectors;
import io.latentqa.decoder.runtime.ModelHolder;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns what a REST client gave (a cached event id, an uploaded event, a dialog) into the vectors to read. */
@ApplicationScoped
public class ActivationSource {

    private final StreamCache cache;
    private final ActivationLog log;
    private final ModelHolder holder;

    ActivationSource(StreamCache cache, ActivationLog log, ModelHolder holder) {
        this.cache = cache;
        this.log = log;
        this.holder = holder;
    }

    /** Exactly one of activationId and dialog. */
    public ReadVectors resolve(String activationId, List<ChatMessage> dialog, int readLayer) {
        if ((activationId == null) == (dialog == null || dialog.isEmpty())) {
            throw ProblemException.badRequest("give exactly one of activationId (an event on latentqa.activations) and"
                    + " dialog (messages to capture first); to read an event you have, POST its safetensors bytes as"
                    + " application/octet-stream");
        }
        if (dialog != null && !dialog.isEmpty()) {
            try {
                return holder.reader().capture(dialog, readLayer);
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("the dialog cannot be read: " + e.getMessage());
            }
        }
        ActivationEvent event = cache.get(activationId).orElseThrow(() -> notCached(activationId));
        return vectors(event, readLayer);
    }

    /** An uploaded event (safetensors bytes). */
    public ReadVectors upload(byte[] body, int readLayer) {
        if (body == null || body.length == 0) {
            throw ProblemException.badRequest("the body must be an activation event (safetensors bytes)");
        }
        ActivationEvent event;
        try {
            event = ActivationEventCodec.decode(body);
        } catch (InvalidActivationEventException e) {
            throw ProblemException.badRequest("the uploaded activation event is invalid: " + e.getMessage());
        }
        return vectors(event, readLayer);
    }

    private ReadVectors vectors(ActivationEvent event, int readLayer) {
        try {
            return holder.reader().vectors(event, readLayer);
        } catch (IncompatibleActivationsException e) {
            throw new ProblemException("incompatible-activations", "Activations cannot be read by this decoder", 400,
                    e.getMessage());
        }
    }

    private ProblemException notCached(String activationId) {
        boolean seen = log.latest(activationId).isPresent();
        String detail = seen
                ? "activation event '" + activationId + "' was seen on latentqa.activations but is no longer in the"
                        + " stream cache (it keeps " + cache.maxBytes() + " bytes for " + cache.ttl() + "); upload the"
                        + " event (POST its safetensors bytes as application/octet-stream) or capture the dialog again"
                : "no activation event '" + activationId + "' has been seen on latentqa.activations; list recent ones"
                        + " with GET /v1/activations";
        return ProblemException.notFound(seen ? "activation-evicted" : "activation-not-found",
                seen ? "Activation event no longer cached" : "Activation event not found", detail);
    }
}
