package io.latentqa.steering.rest;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.latentqa.steering.adapter.SteeringAdapterRepository;
import io.latentqa.steering.adapter.SteeringAdapterRepository.SteeringAdapter;
import io.latentqa.steering.control.ControlJob;
import io.latentqa.steering.control.ControlRepository;
import io.latentqa.steering.control.ControlSpecParser;
import io.latentqa.steering.messaging.ModelEventProducer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The steering adapters control jobs made: listed, compared side by side, retired. */
@Path("/v1/steering-adapters")
@Produces(MediaType.APPLICATION_JSON)
public class SteeringAdapterResource {

    /** An adapter with the results of the job that made it (control loss and generations before and after). */
    public record AdapterResult(SteeringAdapter adapter, String control, JsonNode spec, JsonNode result) {
    }

    private final SteeringAdapterRepository adapters;
    private final ControlRepository jobs;
    private final ModelEventProducer events;

    SteeringAdapterResource(SteeringAdapterRepository adapters, ControlRepository jobs, ModelEventProducer events) {
        this.adapters = adapters;
        this.jobs = jobs;
        this.events = events;
    }

    /** Published adapters, or all of them with {@code ?includeRetired=true}. */
    @GET
    public List<SteeringAdapter> list(@QueryParam("includeRetired") String includeRetired) {
        return adapters.list(flag("includeRetired", includeRetired));
    }

    @GET
    @Path("{id}")
    public AdapterResult get(@PathParam("id") String id) {
        return result(find(id));
    }

    /** Several adapters' results side by side: {@code ?ids=a,b,c} (2 to 10). */
    @GET
    @Path("compare")
    public List<AdapterResult> compare(@QueryParam("ids") String ids) {
        if (ids == null || ids.isBlank()) {
            throw ProblemException.badRequest("ids: give 2 to 10 adapter ids separated by commas");
        }
        String[] parts = ids.split(",");
        if (parts.length < 2 || parts.length > 10) {
            throw ProblemException.badRequest("ids: give 2 to 10 adapter ids separated by commas, got " + parts.length);
        }
        List<AdapterResult> results = new ArrayList<>();
        for (String id : parts) {
            results.add(result(find(id.strip())));
        }
        return results;
    }

    /** Retires an adapter: capture-service unloads it; its files and results stay. */
    @POST
    @Path("{id}/retire")
    public AdapterResult retire(@PathParam("id") String id) {
        SteeringAdapter adapter = find(id);
        if (!adapters.retire(id)) {
            throw new ProblemException("adapter-retired", "Adapter already retired", 409, "steering adapter " + id
                    + " was retired at " + adapter.retiredAt());
        }
        events.retired(id);
        return result(find(id));
    }

    private SteeringAdapter find(String id) {
        if (!ControlSpecParser.ADAPTER_ID.matcher(id).matches()) {
            throw ProblemException.badRequest("adapter ids are 1-128 letters, digits, '.', '_' or '-'");
        }
        return adapters.find(id).orElseThrow(() -> ProblemException.notFound("adapter-not-found", "Steering adapter not found",
                "no steering adapter '" + id + "'; list them with GET /v1/steering-adapters?includeRetired=true"));
    }

    private AdapterResult result(SteeringAdapter adapter) {
        ControlJob job = jobs.find(adapter.jobId()).orElseThrow();
        return new AdapterResult(adapter, job.controlText(), job.spec(), job.result());
    }

    private static boolean flag(String name, String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ProblemException.badRequest(name + " must be true or false");
    }
}
