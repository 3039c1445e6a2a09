package io.latentqa.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.latentqa.core.lit.LitRecord;
import io.latentqa.trainer.cli.EvalCommand;
import io.latentqa.trainer.eval.ControlProbe.Block;
import io.latentqa.trainer.lit.SmolLm2Fixture;

/**
 * The control probe: its nearest-neighbour identification and prompt share checked by hand on small vectors,
 * then on SmolLM2 with LatentQA training prompts, where the hidden prompt must be identifiable after block 15
 * (the default read layer) and the shuffled control must not be.
 */
class ControlProbeTest {

    @Test
    void aConsistentPromptMarkIsIdentifiedAcrossUserTurns() {
        // user turns far apart along x, the prompt a small shift along y; after removing the mean, the nearest
        // read of another user turn is the neighbouring user turn under the same prompt (worked out by hand)
        float[][][] v = new float[3][2][];
        for (int u = 0; u < 3; u++) {
            v[u][0] = new float[]{10 * (u - 1), 1};
            v[u][1] = new float[]{10 * (u - 1), -1};
        }
        ControlProbe.Identification id = ControlProbe.identify(v, new int[][]{{0, 1}, {0, 1}, {0, 1}});
        assertEquals(6, id.correct());
        assertEquals(6, id.total());
        // the same vectors with the labels of the middle user turn swapped: its reads' nearest neighbours are
        // the outer user turns' reads under the other label, and theirs is the middle one's: all wrong
        assertEquals(0, ControlProbe.identify(v, new int[][]{{0, 1}, {1, 0}, {0, 1}}).correct());
        // with the labels permuted at random within each user turn, half the reads keep their neighbour's label
        int shuffled = ControlProbe.shuffled(ControlProbe.nearest(v), 3, 2, new java.util.Random(0)).correct();
        assertTrue(Math.abs(shuffled - 3) <= 1, "about 1/k of 6 reads: " + shuffled);
    }

    @Test
    void aTargetThatIgnoresThePromptScoresChance() {
        // every prompt gives the same vector: ties go to the first read of the other user turn (label 0), so
        // only the reads under prompt 0 count as identified, 1 in k
        float[][][] v = new float[4][3][];
        for (int u = 0; u < 4; u++) {
            for (int p = 0; p < 3; p++) {
                v[u][p] = new float[]{u, u * u, 1};
            }
        }
        ControlProbe.Identification id = ControlProbe.identify(v, new int[][]{{0, 1, 2}, {0, 1, 2}, {0, 1, 2}, {0, 1, 2}});
        assertEquals(4, id.correct());
        assertEquals(12, id.total());
        assertEquals(0.0, ControlProbe.promptShare(v), 0.0);
    }

    @Test
    void promptShareIsTheMovedPartOfTheNorm() {
        // user turn 0: (3,4) and (3,-4), mean (3,0): each read moves by 4 of norm 5; user turn 1: (1,0) and (-1,0),
        // mean 0: each moves by its whole norm
        float[][][] v = {{{3, 4}, {3, -4}}, {{1, 0}, {-1, 0}}};
        assertEquals((0.8 + 0.8 + 1 + 1) / 4, ControlProbe.promptShare(v), 1e-9);
    }

    @Test
    void smolLm2CarriesItsHiddenSystemPromptAfterBlock15() throws Exception {
        List<LitRecord> records = EvalCommand.systemRecords(SmolLm2Fixture.data().resolve("train/system.json"), 400, 0);
        List<LitRecord> prompts = ControlProbe.equalLengthPrompts(records, SmolLm2Fixture.builder(), 4, 0);
        Set<String> labels = prompts.stream().map(LitRecord::label).collect(Collectors.toSet());
        assertEquals(4, prompts.stream().map(LitRecord::system).distinct().count(), "four different prompts");
        Set<Integer> lengths = prompts.stream().map(p -> SmolLm2Fixture.builder().read(p.readPrompt()).mask().length())
                .collect(Collectors.toSet());
        assertEquals(1, lengths.size(), "system turns of one length");
        List<LitRecord> users = records.stream().filter(r -> !labels.contains(r.label())).limit(5).toList();

        ControlProbe.Result result = ControlProbe.run(SmolLm2Fixture.model(), SmolLm2Fixture.builder(), prompts, users, 0, done -> { });

        assertEquals(SmolLm2Fixture.model().config().nLayers(), result.blocks().size());
        assertEquals(lengths.iterator().next(), result.systemTurnTokens());
        Block block15 = result.blocks().get(15);
        assertEquals(20, block15.last().total());
        assertTrue(block15.last().interval().low() > result.chance(),
                "the hidden prompt is identifiable from the last vector after block 15: " + block15);
        assertTrue(block15.shuffled().correct() < block15.last().correct(), "the shuffled control reads less: " + block15);
        assertTrue(block15.promptShare() > 0, block15.toString());
    }
}
