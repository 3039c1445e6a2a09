package io.latentqa.decoder.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.latentqa.decoder.adapter.DecoderAdapters;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Which decoders can read (the untrained base model and the adapters) and which one reads when a request names none. */
@Path("/v1/decoders")
@Produces(MediaType.APPLICATION_JSON)
public class DecoderResource {

    /** One decoder; {@code id} is what {@code adapter} names in reads, scores and readings. */
    public record Decoder(String id, int readLayer, int writeLayer) {
    }

    public record Decoders(@JsonProperty("default") String defaultId, List<Decoder> decoders) {
    }

    private final DecoderAdapters adapters;

    DecoderResource(DecoderAdapters adapters) {
        this.adapters = adapters;
    }

    @GET
    public Decoders list() {
        return new Decoders(adapters.current().label(), adapters.choices().stream()
                .map(c -> new Decoder(c.label(), c.readLayer(), c.writeLayer())).toList());
    }
}
