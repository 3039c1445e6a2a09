package io.latentqa.steering.rest;

import io.latentqa.core.events.AdapterEntry;
import java.util.List;
import java.util.regex.Pattern;

import io.latentqa.steering.adapter.DecoderAdapterCatalog;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The decoder adapters steering can optimise against (its loss), as announced on latentqa.model-events. */
@Path("/v1/decoder-adapters")
@Produces(MediaType.APPLICATION_JSON)
public class DecoderAdapterResource {

    private static final Pattern ADAPTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final DecoderAdapterCatalog catalog;

    DecoderAdapterResource(DecoderAdapterCatalog catalog) {
        this.catalog = catalog;
    }

    /** Published adapters, or all of them with {@code ?includeRetired=true}. */
    @GET
    public List<AdapterEntry> list(@QueryParam("includeRetired") @DefaultValue("false") boolean includeRetired) {
        return catalog.list(includeRetired);
    }

    @GET
    @Path("{id}")
    public AdapterEntry get(@PathParam("id") String id) {
        if (!ADAPTER_ID.matcher(id).matches()) {
            throw ProblemException.badRequest("adapter ids are 1-128 letters, digits, '.', '_' or '-', got '" + id + "'");
        }
        return catalog.find(id).orElseThrow(() -> ProblemException.notFound("adapter-not-found",
                "Decoder adapter not found", "no decoder adapter '" + id + "' was announced on latentqa.model-events;"
                        + " list them with GET /v1/decoder-adapters?includeRetired=true"));
    }
}
