package io.latentqa.dataset.job;

import java.net.URI;
import java.util.List;

import io.latentqa.dataset.rest.ProblemException;
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

/** Dataset generation jobs: submit, follow the progress, cancel. */
@Path("/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private final JobService jobs;

    JobResource(JobService jobs) {
        this.jobs = jobs;
    }

    /** Queues a job; 202 with the job and its URL in {@code Location}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(CreateJobRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("the body must be a JSON object {\"type\": ..., \"params\": {...}};"
                    + " type is one of " + JobType.allowed());
        }
        Job job = jobs.submit(request.type(), request.params());
        return Response.accepted(JobResponse.of(job)).location(URI.create("/v1/jobs/" + job.id())).build();
    }

    /** The newest jobs first. */
    @GET
    public List<JobResponse> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ProblemException.badRequest("limit must be between 1 and 1000, got " + limit);
        }
        return jobs.list(limit).stream().map(JobResponse::of).toList();
    }

    @GET
    @Path("{id}")
    public JobResponse get(@PathParam("id") String id) {
        return JobResponse.of(jobs.get(id));
    }

    /** A queued job is cancelled at once; a running one stops at its next record boundary (202). */
    @POST
    @Path("{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        return Response.accepted(JobResponse.of(jobs.cancel(id))).build();
    }
}
