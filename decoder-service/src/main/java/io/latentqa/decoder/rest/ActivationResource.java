package io.latentqa.decoder.rest;

import java.util.List;
import java.util.Set;

import io.latentqa.decoder.activation.ActivationEventRecord;
import io.latentqa.decoder.activation.ActivationLog;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The activation events this service has seen on latentqa.activations (metadata only). */
@Path("/v1/activations")
@Produces(MediaType.APPLICATION_JSON)
public class ActivationResource {

    private static final Set<String> SOURCES = Set.of("traffic", "dataset", "eval");

    private final ActivationLog log;

    ActivationResource(ActivationLog log) {
        this.log = log;
    }

    /** The newest events first, optionally of one source. */
    @GET
    public List<ActivationEventRecord> list(@QueryParam("source") String source,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        if (source != null && !SOURCES.contains(source)) {
            throw ProblemException.badRequest("source must be one of traffic, dataset, eval; got '" + source + "'");
        }
        if (limit < 1 || limit > 1000) {
            throw ProblemException.badRequest("limit must be between 1 and 1000, got " + limit);
        }
        return log.list(source, limit);
    }

    /** The latest event of a request. */
    @GET
    @Path("{requestId}")
    public ActivationEventRecord get(@PathParam("requestId") String requestId) {
        return log.latest(requestId).orElseThrow(() -> ProblemException.notFound("activation-not-found",
                "Activation event not found", "no activation event with request id '" + requestId
                        + "' has been seen on latentqa.activations; list recent ones with GET /v1/activations"));
    }
}
