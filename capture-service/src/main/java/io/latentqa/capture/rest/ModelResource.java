package io.latentqa.capture.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.latentqa.capture.runtime.ModelHolder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** OpenAI's model list: the one model this process serves. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    /** OpenAI's {@code model} object. */
    public record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
    }

    /** OpenAI's list wrapper. */
    public record ModelList(String object, List<Model> data) {
    }

    private final ModelHolder holder;
    private final long created = System.currentTimeMillis() / 1000;

    ModelResource(ModelHolder holder) {
        this.holder = holder;
    }

    @GET
    public ModelList list() {
        return new ModelList("list", List.of(model()));
    }

    @GET
    @Path("{id}")
    public Model get(@PathParam("id") String id) {
        if (!holder.modelId().equals(id)) {
            throw new ProblemException("model-not-found", "Model not found", 404, "this service serves '"
                    + holder.modelId() + "', not '" + id + "'");
        }
        return model();
    }

    private Model model() {
        return new Model(holder.modelId(), "model", created, "latentqa");
    }
}
