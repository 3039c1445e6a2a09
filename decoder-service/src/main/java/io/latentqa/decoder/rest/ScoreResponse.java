package io.latentqa.decoder.rest;

import java.util.List;

import io.latentqa.decoder.reading.CandidateScore;

/**
 * The scores of POST /v1/score.
 *
 * @param activationId the event scored against (null for a captured dialog)
 * @param modelId      the model the activations came from
 * @param adapter      the decoder that scored
 * @param question     the question
 * @param normalised   whether scores are relative to the no-activation baseline
 * @param candidates   one per answer, in the order given (each with its rank)
 * @param best         the top-ranked answer
 */
public record ScoreResponse(String activationId, String modelId, String adapter, String question, boolean normalised,
        List<CandidateScore> candidates, String best) {
}
