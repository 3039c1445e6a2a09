package io.latentqa.trainer.rest;

/** No run has the requested id. */
public class RunNotFoundException extends RuntimeException {

    public RunNotFoundException(String runId) {
        super("no run with id '" + runId + "'; list the runs with GET /v1/runs");
    }
}
