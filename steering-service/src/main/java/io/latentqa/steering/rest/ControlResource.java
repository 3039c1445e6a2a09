package io.latentqa.steering.rest;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.latentqa.steering.control.ControlJob;
import io.latentqa.steering.control.ControlNotFoundException;
import io.latentqa.steering.control.ControlRepository;
import io.latentqa.steering.control.ControlService;
import io.latentqa.steering.control.ControlSpecParser;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Control jobs (method doc §6): a control in QA pairs or a goal in words becomes a steering adapter trained through
 * the decoder; progress, the loss curve and the before/after results are read here.
 */
@Path("/v1/controls")
@Produces(MediaType.APPLICATION_JSON)
public class ControlResource {

    private final ControlService service;
    private final ControlRepository repository;

    ControlResource(ControlService service, ControlRepository repository) {
        this.service = service;
        this.repository = repository;
    }

    /** Queues a control job: 202 with the job and its Location. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(JsonNode request) {
        ControlJob job = service.create(request);
        return Response.accepted(ControlResponse.of(job, List.of())).location(URI.create("/v1/controls/" + job.id())).build();
    }

    /** Newest first, without their loss curves. */
    @GET
    public List<ControlResponse> list(@QueryParam("limit") String limit) {
        int n = limit == null ? 50 : Limits.parse("limit", limit, 1, 500);
        return repository.list(n).stream().map(job -> ControlResponse.of(job, null)).toList();
    }

    @GET
    @Path("{id}")
    public ControlResponse get(@PathParam("id") String id) {
        return ControlResponse.of(find(id), repository.losses(id));
    }

    @POST
    @Path("{id}/cancel")
    public ControlResponse cancel(@PathParam("id") String id) {
        find(id);
        return ControlResponse.of(service.cancel(id), repository.losses(id));
    }

    /** Turns the control's score on the activation stream on or off: {@code {"active": false}}. */
    @POST
    @Path("{id}/scoring")
    @Consumes(MediaType.APPLICATION_JSON)
    public ControlResponse scoring(@PathParam("id") String id, JsonNode body) {
        find(id);
        if (body == null || !body.path("active").isBoolean()) {
            throw ProblemException.badRequest("active: give {\"active\": true} or {\"active\": false}");
        }
        repository.scoring(id, body.get("active").asBoolean());
        return ControlResponse.of(find(id), repository.losses(id));
    }

    private ControlJob find(String id) {
        if (!ControlSpecParser.JOB_ID.matcher(id).matches()) {
            throw ProblemException.badRequest("control job ids are 1-100 letters, digits, '.', '_' or '-'");
        }
        return repository.find(id).orElseThrow(() -> new ControlNotFoundException(id));
    }
}
