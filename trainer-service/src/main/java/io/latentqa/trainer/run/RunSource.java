package io.latentqa.trainer.run;

/** How a run was requested: a record on latentqa.training-requests, or POST /v1/runs. */
public enum RunSource {
    KAFKA, REST;

    /** @return the value stored in the runs.source column */
    public String column() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
