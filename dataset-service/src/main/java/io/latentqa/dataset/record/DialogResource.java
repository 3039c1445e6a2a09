package io.latentqa.dataset.record;

import java.util.List;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The dialogs (read-side records), e.g. those a generate-dialogs job had the target model complete. */
@Path("/v1/dialogs")
@Produces(MediaType.APPLICATION_JSON)
public class DialogResource {

    private final DialogRepository dialogs;

    DialogResource(DialogRepository dialogs) {
        this.dialogs = dialogs;
    }

    /** Dialogs in id order; filter by the job that wrote them and by label prefix. */
    @GET
    public List<Dialog> list(@QueryParam("jobId") String jobId, @QueryParam("labelPrefix") String labelPrefix,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("100") int size) {
        if (page < 0 || size < 1 || size > RecordResource.MAX_SIZE) {
            throw RecordResource.invalidFilter("page must be 0 or more and size between 1 and "
                    + RecordResource.MAX_SIZE + ", got page " + page + ", size " + size);
        }
        return dialogs.page(jobId == null || jobId.isEmpty() ? null : jobId, RecordResource.labelPrefix(labelPrefix),
                page, size);
    }
}
