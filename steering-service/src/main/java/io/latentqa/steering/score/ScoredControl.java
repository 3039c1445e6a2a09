package io.latentqa.steering.score;

import java.util.List;

/**
 * A control whose score is computed on the activation stream.
 *
 * @param id      the control job's id
 * @param decoder the decoder the control names (its loss)
 * @param qa      the control's QA pairs, [question, answer]
 */
public record ScoredControl(String id, String decoder, List<String[]> qa) {
}
