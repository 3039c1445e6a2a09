package io.latentqa.trainer.eval;

import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.trainer.cli.EvalCommand;
import io.latentqa.trainer.lit.SmolLm2Fixture;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The closed set: the shuffled control never reads a user turn under its own prompt, PMI picks against the
 * no-activation baseline (hand numbers), and on SmolLM2 every training user turn is seen under every prompt
 * with nothing but the hidden prompt changing, held-out user turns of other labels.
 */
class ClosedSetTest {

    @Test
    void theShuffledControlNeverUsesTheOwnPromptAndVisitsAllOthers() {
        for (int k : new int[]{2, 3, 10}) {
            for (int own = 0; own < k; own++) {
                Set<Integer> others = new HashSet<>();
                // user turns read under prompt `own` are own, own + k, own + 2k, ...
                for (int i = own; i < 3 * k * k; i += k) {
                    assertEquals(own, ClosedSet.promptOf(i, k));
                    int shuffled = ClosedSet.shuffledPromptOf(i, k);
                    assertNotEquals(own, shuffled, "user turn " + i + " of k " + k);
                    assertTrue(shuffled >= 0 && shuffled < k);
                    others.add(shuffled);
                }
                assertEquals(k - 1, others.size(), "every other prompt, k " + k + ", prompt " + own);
            }
        }
    }

    @Test
    void pmiSubtractsTheLikelihoodWithoutActivations() {
        double[] withRead = {-1.0, -2.0, -4.0};
        double[] without = {-0.5, -3.0, -4.5};
        // raw: -1 is the largest; PMI: 0.5 - ... = (-0.5, 1.0, 0.5): answer 1
        assertEquals(0, ClosedSet.argmax(withRead, null));
        assertEquals(1, ClosedSet.argmax(withRead, without));
        // ties go to the first
        assertEquals(0, ClosedSet.argmax(new double[]{-1, -1}, null));
    }

    @Test
    void onlyTheHiddenPromptChangesAcrossAUserTurnsExamples() throws Exception {
        List<LitRecord> records = EvalCommand.systemRecords(SmolLm2Fixture.data().resolve("train/system.json"), 400, 0);
        ClosedSet.Split split = ClosedSet.split(records, SmolLm2Fixture.builder(), EvalCommand.QUESTION, 4, 5, 3, 7);
        assertEquals(4, split.prompts().size());
        assertEquals(4 * 5, split.examples().size());
        Set<String> promptLabels = split.prompts().stream().map(LitRecord::label).collect(Collectors.toSet());
        Set<String> trainLabels = split.trainUsers().stream().map(LitRecord::label).collect(Collectors.toSet());
        Set<String> evalLabels = split.evalUsers().stream().map(LitRecord::label).collect(Collectors.toSet());
        assertEquals(4, promptLabels.size());
        assertEquals(5, trainLabels.size());
        assertEquals(3, evalLabels.size());
        Set<String> all = new HashSet<>(promptLabels);
        all.addAll(trainLabels);
        all.addAll(evalLabels);
        assertEquals(12, all.size(), "prompts, training and held-out user turns all of different labels");

        for (int u = 0; u < 5; u++) {
            List<LitExample> userExamples = split.examples().subList(4 * u, 4 * u + 4);
            LitExample first = userExamples.get(0);
            Set<String> answers = new HashSet<>();
            for (int p = 0; p < 4; p++) {
                LitExample e = userExamples.get(p);
                // the same mask span (prompts of one length) and, after it, the same tokens: the user turn
                assertEquals(first.read().mask(), e.read().mask());
                int end = e.read().mask().end();
                assertArrayEquals(Arrays.copyOfRange(first.read().ids(), end, first.read().length()),
                        Arrays.copyOfRange(e.read().ids(), end, e.read().length()), "user turn " + u + " under prompt " + p);
                if (p > 0) {
                    assertTrue(!Arrays.equals(first.read().ids(), e.read().ids()), "the hidden prompts differ");
                }
                answers.add(answerText(e.write()));
            }
            // each example is answered with its own prompt: four different answers, the four prompts
            assertEquals(split.prompts().stream().map(LitRecord::system).collect(Collectors.toSet()), answers);
        }
    }

    /** The decoded answer labels of a write (the last reflect turn, without its end-of-turn token). */
    private static String answerText(LitWrite write) {
        int[] labels = Arrays.stream(write.labels(io.latentqa.core.lit.LabelKind.ANSWER_ONLY))
                .filter(id -> id != LitWrite.IGNORE).toArray();
        String text = SmolLm2Fixture.files().tokenizer().decode(Arrays.copyOf(labels, labels.length - 1));
        return text.strip();
    }
}
