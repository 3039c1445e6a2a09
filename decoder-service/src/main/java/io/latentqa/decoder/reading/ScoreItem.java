package io.latentqa.decoder.reading;

import java.util.List;

/**
 * One multiple-choice question about one set of vectors: a group of rows (one per candidate) of a batched score.
 *
 * @param vectors   what the decoder is shown
 * @param question  the question
 * @param answers   the candidates (at least one)
 * @param normalise also score each answer without activations and rank by the difference
 */
public record ScoreItem(ReadVectors vectors, String question, List<String> answers, boolean normalise) {

    public ScoreItem {
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("scoring needs at least one candidate answer");
        }
        answers = List.copyOf(answers);
    }
}
