package io.latentqa.dataset.rest;

import java.util.List;

import io.latentqa.dataset.capture.Capture;
import io.latentqa.dataset.capture.CaptureStore;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The dialogs captured for datasets (activation events with source=dataset). */
@Path("/v1/captures")
@Produces(MediaType.APPLICATION_JSON)
public class CaptureResource {

    private final CaptureStore captures;

    CaptureResource(CaptureStore captures) {
        this.captures = captures;
    }

    /** The newest captures first. */
    @GET
    public List<Capture> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ProblemException.badRequest("limit must be between 1 and 1000, got " + limit);
        }
        return captures.list(limit);
    }

    @GET
    @Path("{requestId}")
    public Capture get(@PathParam("requestId") String requestId) {
        return captures.find(requestId).orElseThrow(() -> ProblemException.notFound("capture-not-found",
                "Capture not found", "no dataset capture with request id '" + requestId + "' has been seen on"
                        + " latentqa.activations (only events with source=dataset are kept); list them with"
                        + " GET /v1/captures"));
    }
}
