package io.latentqa.trainer.rest;

import java.net.URI;
import java.util.List;

import io.latentqa.trainer.run.InvalidRunRequestException;
import io.latentqa.trainer.run.Run;
import io.latentqa.trainer.run.RunService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Training runs: queue one, read one, list them. */
@Path("/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    private final RunService runs;

    RunResource(RunService runs) {
        this.runs = runs;
    }

    /** Queues a run, as a record on latentqa.training-requests would. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(CreateRunRequest request) {
        if (request == null) {
            throw new InvalidRunRequestException("send a JSON object such as {\"id\": \"run-1\", \"spec\": {}}");
        }
        Run run = runs.create(request.id(), request.spec());
        return Response.created(URI.create("/v1/runs/" + run.id()))
                .entity(RunResponse.of(run, runs.queueMessage(run.id()))).build();
    }

    @GET
    @Path("{id}")
    public RunResponse get(@PathParam("id") String id) {
        Run run = runs.find(id).orElseThrow(() -> new RunNotFoundException(id));
        return RunResponse.of(run, runs.queueMessage(id));
    }

    /** Stops a queued run at once, a running one after its current step. */
    @POST
    @Path("{id}/cancel")
    public RunResponse cancel(@PathParam("id") String id) {
        runs.find(id).orElseThrow(() -> new RunNotFoundException(id));
        return RunResponse.of(runs.cancel(id));
    }

    /** Queues a failed or cancelled run again: it resumes from its last checkpoint. */
    @POST
    @Path("{id}/resume")
    public RunResponse resume(@PathParam("id") String id) {
        runs.find(id).orElseThrow(() -> new RunNotFoundException(id));
        return RunResponse.of(runs.resume(id));
    }

    /**
     * Trains a succeeded constant-schedule run further, to {@code steps} in all, from its last checkpoint; it
     * takes the steps a longer run would have taken and publishes its adapter again.
     */
    @POST
    @Path("{id}/extend")
    @Consumes(MediaType.APPLICATION_JSON)
    public RunResponse extend(@PathParam("id") String id, ExtendRunRequest request) {
        runs.find(id).orElseThrow(() -> new RunNotFoundException(id));
        return RunResponse.of(runs.extend(id, request == null ? null : request.steps()));
    }

    /** The run's checkpoints, oldest first: each one's step and folder (adapter/, AdamW state, data cursor). */
    @GET
    @Path("{id}/checkpoints")
    public List<RunService.Checkpoint> checkpoints(@PathParam("id") String id) {
        runs.find(id).orElseThrow(() -> new RunNotFoundException(id));
        return runs.checkpoints(id);
    }

    /**
     * Publishes the adapter of one of the run's checkpoints under its own id, {@code decoder-<run>-step-<step>}:
     * a stage of a run stays servable after the run trains on.
     */
    @POST
    @Path("{id}/publish")
    @Consumes(MediaType.APPLICATION_JSON)
    public RunService.PublishedCheckpoint publish(@PathParam("id") String id, PublishCheckpointRequest request) {
        runs.find(id).orElseThrow(() -> new RunNotFoundException(id));
        return runs.publishCheckpoint(id, request == null ? null : request.step());
    }

    /** The newest runs first. */
    @GET
    public List<RunResponse> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        return runs.list(limit).stream().map(RunResponse::of).toList();
    }
}
