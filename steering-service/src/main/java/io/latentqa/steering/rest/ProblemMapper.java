package io.latentqa.steering.rest;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.latentqa.steering.control.ControlConflictException;
import io.latentqa.steering.control.ControlNotFoundException;
import io.latentqa.steering.control.InvalidControlException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** Turns the errors a client can cause into RFC 9457 problem details. */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return respond(e.problem());
    }

    @ServerExceptionMapper
    public Response invalidControl(InvalidControlException e) {
        return respond(Problem.of("invalid-control", "Invalid control request", 400, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response controlNotFound(ControlNotFoundException e) {
        return respond(Problem.of("control-not-found", "Control job not found", 404, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response controlConflict(ControlConflictException e) {
        return respond(Problem.of("control-conflict", "Control job conflict", 409, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unreadableBody(JsonProcessingException e) {
        return respond(Problem.of("invalid-json", "Request body is not valid JSON", 400, e.getOriginalMessage()));
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e) {
        // a body Jackson cannot parse arrives wrapped in a 400
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
