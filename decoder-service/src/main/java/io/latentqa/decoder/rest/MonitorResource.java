package io.latentqa.decoder.rest;

import java.util.List;
import java.util.UUID;

import io.latentqa.decoder.monitor.Monitor;
import io.latentqa.decoder.monitor.MonitorRepository;
import io.latentqa.decoder.monitor.MonitorService;
import io.latentqa.decoder.monitor.MonitorSpec;
import io.latentqa.decoder.monitor.ReadingRecord;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Standing questions over latentqa.activations: create, list, update, delete; and their readings. */
@Path("/v1/monitors")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class MonitorResource {

    private final MonitorService monitors;
    private final MonitorRepository repository;

    MonitorResource(MonitorService monitors, MonitorRepository repository) {
        this.monitors = monitors;
        this.repository = repository;
    }

    @POST
    public Response create(MonitorSpec spec) {
        try {
            Monitor created = monitors.create(spec);
            return Response.status(201).entity(created).header("Location", "/v1/monitors/" + created.id()).build();
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
    }

    @GET
    public List<Monitor> list() {
        return monitors.list();
    }

    @GET
    @Path("{id}")
    public Monitor get(@PathParam("id") String id) {
        return monitors.find(uuid(id)).orElseThrow(() -> notFound(id));
    }

    @PUT
    @Path("{id}")
    public Monitor update(@PathParam("id") String id, MonitorSpec spec) {
        try {
            return monitors.update(uuid(id), spec).orElseThrow(() -> notFound(id));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        if (!monitors.delete(uuid(id))) {
            throw notFound(id);
        }
        return Response.noContent().build();
    }

    /** A monitor's readings, newest first, optionally of one activation. */
    @GET
    @Path("{id}/readings")
    public List<ReadingRecord> readings(@PathParam("id") String id, @QueryParam("activationId") String activationId,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ProblemException.badRequest("limit must be between 1 and 1000, got " + limit);
        }
        return repository.readings(uuid(id), activationId, limit);
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("monitor id must be a UUID, got '" + id + "'");
        }
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("monitor-not-found", "Monitor not found", "no monitor with id " + id
                + "; list them with GET /v1/monitors");
    }
}
