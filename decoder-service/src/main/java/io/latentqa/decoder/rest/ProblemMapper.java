package io.latentqa.decoder.rest;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** Turns the errors a client can cause into RFC 9457 problem details. */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return respond(e.problem());
    }

    @ServerExceptionMapper
    public Response unreadableBody(JsonProcessingException e) {
        return respond(Problem.of("invalid-json", "Request body is not valid JSON", 400, e.getOriginalMessage()));
    }

    /**
     * Valid JSON with a field of the wrong type ({"question": ["x"]}); without this mapper Quarkus's own, more
     * specific one answers a bare 400 with no body.
     */
    @ServerExceptionMapper
    public Response wrongType(MismatchedInputException e) {
        StringBuilder field = new StringBuilder(); // as in dialog[0].role
        for (JsonMappingException.Reference r : e.getPath()) {
            field.append(r.getFieldName() == null ? "[" + r.getIndex() + "]"
                    : (field.isEmpty() ? "" : ".") + r.getFieldName());
        }
        return respond(Problem.of("invalid-json", "Request body does not have the expected fields", 400,
                (field.isEmpty() ? "" : "field '" + field + "': ") + e.getOriginalMessage()
                        + "; see the REST section of docs/decoder-service.md"));
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e) {
        // a body Jackson cannot parse arrives wrapped in a 400
        if (e.getCause() instanceof MismatchedInputException wrongType) {
            return wrongType(wrongType);
        }
        if (e.getCause() instanceof JsonProcessingException unreadable) {
            return unreadableBody(unreadable);
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        return respond(Problem.of("http-" + status.getStatusCode(), status.getReasonPhrase(), status.getStatusCode(),
                e.getMessage()));
    }

    private static Response respond(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
