package io.latentqa.dataset.record;

import java.util.Set;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The controls (hidden behaviours by label), with the attribute values of grammar controls. */
@Path("/v1/controls")
@Produces(MediaType.APPLICATION_JSON)
public class ControlResource {

    private final ControlRepository controls;

    ControlResource(ControlRepository controls) {
        this.controls = controls;
    }

    /** Controls in label order; filter by label prefix, kind, source (import, grammar) and the job that wrote them. */
    @GET
    public Page<Control> list(@QueryParam("labelPrefix") String labelPrefix, @QueryParam("kind") String kind,
            @QueryParam("source") String source, @QueryParam("jobId") String jobId,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("100") int size) {
        if (page < 0 || size < 1 || size > RecordResource.MAX_SIZE) {
            throw RecordResource.invalidFilter("page must be 0 or more and size between 1 and "
                    + RecordResource.MAX_SIZE + ", got page " + page + ", size " + size);
        }
        ControlSelection selection = new ControlSelection(RecordResource.labelPrefix(labelPrefix),
                kind == null || kind.isEmpty() ? null : kind,
                RecordResource.oneOf("source", source, Set.of("import", "grammar")),
                jobId == null || jobId.isEmpty() ? null : jobId, null);
        return new Page<>(page, size, controls.count(selection), controls.page(selection, page, size));
    }
}
