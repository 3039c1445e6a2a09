package io.latentqa.decoder.rest;

import java.util.List;

import io.latentqa.decoder.adapter.DecoderAdapters;
import io.latentqa.decoder.adapter.DecoderChoice;
import io.latentqa.decoder.reading.CandidateScore;
import io.latentqa.decoder.reading.ReadVectors;
import io.latentqa.decoder.runtime.ModelHolder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * Multiple choice: the decoder's log-likelihood of each candidate answer to a question about activations,
 * batched over the candidates and ranked; optionally relative to the same answers without activations.
 */
@Path("/v1/score")
@Produces(MediaType.APPLICATION_JSON)
public class ScoreResource {

    private static final int MAX_ANSWERS = 32;

    private final ActivationSource source;
    private final DecoderAdapters adapters;
    private final ModelHolder holder;

    ScoreResource(ActivationSource source, DecoderAdapters adapters, ModelHolder holder) {
        this.source = source;
        this.adapters = adapters;
        this.holder = holder;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public ScoreResponse score(ScoreRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("the body must be {\"activationId\" or \"dialog\", \"question\","
                    + " \"answers\": [...], \"normalise\"}");
        }
        try (DecoderAdapters.Lease lease = lease(request.adapter())) {
            ReadVectors vectors = source.resolve(request.activationId(), request.dialog(), lease.choice().readLayer());
            return score(vectors, request.activationId(), request.question(), request.answers(),
                    Boolean.TRUE.equals(request.normalise()), lease.choice());
        }
    }

    /** Scores against an uploaded event (safetensors bytes); question and answers as query parameters. */
    @POST
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public ScoreResponse scoreUpload(byte[] body, @QueryParam("question") String question,
            @QueryParam("answer") List<String> answers, @QueryParam("normalise") boolean normalise,
            @QueryParam("adapter") String adapter) {
        try (DecoderAdapters.Lease lease = lease(adapter)) {
            ReadVectors vectors = source.upload(body, lease.choice().readLayer());
            return score(vectors, vectors.activationId(), question, answers, normalise, lease.choice());
        }
    }

    private ScoreResponse score(ReadVectors vectors, String activationId, String question, List<String> answers,
            boolean normalise, DecoderChoice choice) {
        if (question == null || question.isBlank()) {
            throw ProblemException.badRequest("question must be a non-empty string");
        }
        if (answers == null || answers.isEmpty() || answers.size() > MAX_ANSWERS
                || answers.stream().anyMatch(a -> a == null || a.isBlank())) {
            throw ProblemException.badRequest("answers must hold 1 to " + MAX_ANSWERS + " non-empty candidates");
        }
        List<CandidateScore> scores;
        try {
            scores = holder.reader().score(vectors, question, answers, normalise, choice.modelAdapter(),
                    choice.writeLayer());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw ProblemException.badRequest("cannot score: " + e.getMessage());
        }
        String best = scores.stream().filter(s -> s.rank() == 1).findFirst().orElseThrow().answer();
        return new ScoreResponse(activationId, vectors.modelId(), choice.label(), question, normalise, scores, best);
    }

    private DecoderAdapters.Lease lease(String adapter) {
        try {
            return adapters.acquire(adapter);
        } catch (IllegalArgumentException e) {
            throw new ProblemException("adapter-not-found", "Decoder adapter not available", 404, e.getMessage());
        }
    }
}
