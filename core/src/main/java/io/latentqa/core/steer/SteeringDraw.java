package io.latentqa.core.steer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One sample of a control job (method doc §6): a prompt of the pool, read either as (a) the user turn with
 * the generation prompt or (b) the user turn and the target's own response, paired with one QA pair of the
 * control.
 *
 * @param prompt       index into the prompt pool
 * @param withResponse (b) when true, (a) when false
 * @param qa           index into the control's QA pairs
 */
public record SteeringDraw(int prompt, boolean withResponse, int qa) {

    /**
     * The samples of a job: every prompt, both reads, every QA pair ({@code 2 · prompts · qaPairs} entries),
     * shuffled with the seed, the first {@code samples} kept. One step takes one sample.
     */
    public static List<SteeringDraw> draw(int prompts, int qaPairs, int samples, long seed) {
        if (prompts <= 0 || qaPairs <= 0) {
            throw new IllegalArgumentException("a control job needs prompts and QA pairs, got " + prompts + " prompts and "
                    + qaPairs + " QA pairs");
        }
        List<SteeringDraw> all = new ArrayList<>(2 * prompts * qaPairs);
        for (int p = 0; p < prompts; p++) {
            for (int q = 0; q < qaPairs; q++) {
                all.add(new SteeringDraw(p, false, q));
                all.add(new SteeringDraw(p, true, q));
            }
        }
        Collections.shuffle(all, new Random(seed));
        return List.copyOf(all.subList(0, Math.min(samples, all.size())));
    }
}
