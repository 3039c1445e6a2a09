package io.latentqa.dataset.job;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.latentqa.dataset.rest.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

/** Submits, reads and cancels jobs; turns what a client got wrong into problem details. */
@ApplicationScoped
public class JobService {

    private final JobRepository jobs;
    private final JobRunner runner;

    JobService(JobRepository jobs, JobRunner runner) {
        this.jobs = jobs;
        this.runner = runner;
    }

    /**
     * Checks and queues a job.
     *
     * @param typeName the job type's wire name
     * @param params its parameters (null for none)
     * @return the queued job
     * @throws ProblemException 400 for an unknown type or parameters the job cannot run with
     */
    public Job submit(String typeName, JsonNode params) {
        if (typeName == null || typeName.isBlank()) {
            throw new ProblemException("unknown-job-type", "Unknown job type", 400,
                    "the request needs a \"type\": one of " + JobType.allowed());
        }
        JobType type = JobType.fromWireName(typeName).orElseThrow(() -> new ProblemException("unknown-job-type",
                "Unknown job type", 400, "unknown job type '" + typeName + "'; allowed: " + JobType.allowed()));
        JsonNode checked = params == null || params.isNull() ? JsonNodeFactory.instance.objectNode() : params;
        try {
            runner.validate(type, checked);
        } catch (InvalidParamsException e) {
            throw new ProblemException("invalid-job-params", "Invalid job parameters", 400, e.getMessage());
        }
        String id = UUID.randomUUID().toString();
        jobs.insert(id, type, checked);
        runner.submit(id);
        return get(id);
    }

    public Job get(String id) {
        return jobs.find(id).orElseThrow(() -> ProblemException.notFound("job-not-found", "Job not found",
                "no job with id '" + id + "'; list jobs with GET /v1/jobs"));
    }

    public List<Job> list(int limit) {
        return jobs.list(limit);
    }

    /**
     * Cancels a queued job at once, a running one at its next record boundary.
     *
     * @throws ProblemException 404 for an unknown job, 409 for a finished one
     */
    public Job cancel(String id) {
        Job job = get(id);
        if (!jobs.requestCancel(id)) {
            throw new ProblemException("job-finished", "Job already finished", 409,
                    "job " + id + " is " + job.status() + " and cannot be cancelled any more");
        }
        runner.cancel(id);
        return get(id);
    }
}
