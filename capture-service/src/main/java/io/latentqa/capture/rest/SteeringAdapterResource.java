package io.latentqa.capture.rest;

import io.latentqa.core.events.AdapterEntry;
import java.util.List;
import java.util.regex.Pattern;

import io.latentqa.capture.adapter.SteeringAdapterRegistry;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The steering adapters capture can apply, as announced on latentqa.model-events. */
@Path("/v1/steering-adapters")
@Produces(MediaType.APPLICATION_JSON)
public class SteeringAdapterResource {

    private static final Pattern ADAPTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final SteeringAdapterRegistry registry;

    SteeringAdapterResource(SteeringAdapterRegistry registry) {
        this.registry = registry;
    }

    /** Published adapters, or all of them with {@code ?includeRetired=true}. */
    @GET
    public List<AdapterEntry> list(@QueryParam("includeRetired") @DefaultValue("false") boolean includeRetired) {
        return registry.list(includeRetired);
    }

    @GET
    @Path("{id}")
    public AdapterEntry get(@PathParam("id") String id) {
        if (!ADAPTER_ID.matcher(id).matches()) {
            throw ProblemException.badRequest("adapter ids are 1-128 letters, digits, '.', '_' or '-', got '" + id + "'");
        }
        return registry.find(id).orElseThrow(() -> ProblemException.notFound("adapter-not-found",
                "Steering adapter not found", "no steering adapter '" + id + "' was announced on latentqa.model-events;"
                        + " list them with GET /v1/steering-adapters?includeRetired=true"));
    }
}
