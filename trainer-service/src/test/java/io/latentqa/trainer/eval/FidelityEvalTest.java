package io.latentqa.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentqa.core.lit.LitActivations;
import io.latentqa.core.lit.LitChoiceScorer;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.lora.Adapter;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.core.model.Llama;
import io.latentqa.trainer.cli.EvalCommand;
import io.latentqa.trainer.eval.FidelityEval.Score;
import io.latentqa.trainer.eval.FidelityEval.Variant;
import io.latentqa.trainer.lit.SmolLm2Fixture;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FidelityEvalTest {

    @Test
    void wilsonIntervalMatchesAHandComputation() {
        // 20 of 200, z = 1.96: centre (0.1 + z^2/400) / (1 + z^2/200) = 0.10754,
        // half-width z sqrt(0.1 * 0.9 / 200 + z^2 / 160000) / (1 + z^2/200) = 0.04187
        FidelityEval.Interval i = FidelityEval.Interval.wilson(20, 200);
        assertEquals(0.1, i.value(), 1e-12);
        assertEquals(0.06567, i.low(), 5e-5);
        assertEquals(0.14941, i.high(), 5e-5);
        // 0 of 10: the interval still has width (Wald's would be [0, 0]): upper bound z^2 / (n + z^2) = 0.2775
        FidelityEval.Interval zero = FidelityEval.Interval.wilson(0, 10);
        assertEquals(0.0, zero.low(), 1e-12);
        assertEquals(0.2775, zero.high(), 5e-5);
    }

    @Test
    void shuffledPartnersNeverShareTheItemsLabel() {
        List<FidelityEval.Item> items = List.of(item("a"), item("a"), item("b"), item("c"), item("c"), item("d"));
        int[] partner = FidelityEval.derangement(items, 5);
        for (int i = 0; i < items.size(); i++) {
            assertNotEquals(items.get(i).label(), items.get(partner[i]).label(), "item " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> FidelityEval.derangement(List.of(item("a"), item("a")), 1));
    }

    @Test
    void itemsPutTheTruthFirstAndTakeDistractorsFromOtherLabels() {
        List<String> labels = List.of("x", "x", "y", "z");
        List<String> answers = List.of("ax", "ax2", "ay", "az");
        List<FidelityEval.Item> items = FidelityEval.items(labels, List.of(read(), read(), read(), read()), answers, "q", 3, 0);
        assertEquals("ax", items.get(0).answers().get(0));
        assertEquals(3, items.get(0).answers().size());
        assertEquals(List.of("ax", "ay", "az"), items.get(0).answers().stream().sorted().toList());
        assertThrows(IllegalArgumentException.class, () -> FidelityEval.items(labels, List.of(read(), read(), read(), read()),
                answers, "q", 4, 0));
    }

    /**
     * On SmolLM2 with a fresh adapter (B = 0, so adapted = base): the DECODER variant must decide exactly
     * as the UNTRAINED one, and every variant must decide as scores computed separately item by item
     * (each read alone, its own vectors patched, through {@link LitChoiceScorer}).
     */
    @Test
    void variantsAgreeWithIndependentScoringOnSmolLm2() throws Exception {
        Llama model = SmolLm2Fixture.model();
        List<LitRecord> records = EvalCommand.systemRecords(
                SmolLm2Fixture.data().resolve("eval/system.json"), 40, 3);
        // the three shortest dialogs keep the forwards small
        List<LitRecord> shortest = records.stream()
                .sorted(java.util.Comparator.comparingInt(r -> r.system().length() + r.stimulusUser().length()))
                .limit(3).toList();
        List<LitRead> reads = shortest.stream().map(r -> SmolLm2Fixture.builder().read(r.readPrompt())).toList();
        List<FidelityEval.Item> items = EvalCommand.withSwappedReads(FidelityEval.items(
                shortest.stream().map(LitRecord::label).toList(), reads, shortest.stream().map(LitRecord::system).toList(),
                EvalCommand.QUESTION, 3, 0), shortest, SmolLm2Fixture.builder());
        for (FidelityEval.Item item : items) {
            // the system turn is masked: another prompt changes the read ids, not the number of vectors shown
            assertEquals(item.read().vectorCount(), item.swapped().vectorCount());
            assertFalse(Arrays.equals(item.read().ids(), item.swapped().ids()));
        }
        LoraConfig lora = LoraConfig.of(4, 8f, 0f, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.V_PROJ));
        try (Adapter fresh = Adapter.initialize("fresh", lora, model.config(), model.dataType(), 1)) {
            model.addAdapter(fresh);
            try {
                Map<Variant, Score> scores = new FidelityEval(model, SmolLm2Fixture.builder(), 15, 0)
                        .evaluate(items, "fresh", 3, done -> { });
                System.out.println("fidelity on 3 items, fresh adapter: " + scores);
                assertEquals(scores.get(Variant.UNTRAINED).rawCorrect(), scores.get(Variant.DECODER).rawCorrect());
                assertEquals(scores.get(Variant.UNTRAINED).pmiCorrect(), scores.get(Variant.DECODER).pmiCorrect());
                assertNull(scores.get(Variant.NO_ACTIVATIONS).pmi());

                int raw = 0;
                int pmi = 0;
                int blind = 0;
                int[] swappedRaw = new int[2];
                int[] swappedPmi = new int[2];
                for (FidelityEval.Item item : items) {
                    double[][] s = scoreAlone(model, item.read(), item);
                    raw += MultipleChoice.correct(s[0], 0) ? 1 : 0;
                    pmi += MultipleChoice.correct(MultipleChoice.normalised(s[0], s[1]), 0) ? 1 : 0;
                    blind += MultipleChoice.correct(s[1], 0) ? 1 : 0;
                    double[][] w = scoreAlone(model, item.swapped(), item);
                    for (int answer = 0; answer < 2; answer++) {
                        swappedRaw[answer] += MultipleChoice.correct(w[0], answer) ? 1 : 0;
                        swappedPmi[answer] += MultipleChoice.correct(MultipleChoice.normalised(w[0], w[1]), answer) ? 1 : 0;
                    }
                }
                assertEquals(raw, scores.get(Variant.UNTRAINED).rawCorrect());
                assertEquals(pmi, scores.get(Variant.UNTRAINED).pmiCorrect());
                assertEquals(blind, scores.get(Variant.NO_ACTIVATIONS).rawCorrect());
                // the swapped reads: "own" is right on answers[0], "new" on answers[1], the prompt the target was given
                assertEquals(items.size(), scores.get(Variant.SWAPPED_NEW).items());
                assertEquals(swappedRaw[0], scores.get(Variant.SWAPPED_OWN).rawCorrect());
                assertEquals(swappedPmi[0], scores.get(Variant.SWAPPED_OWN).pmiCorrect());
                assertEquals(swappedRaw[1], scores.get(Variant.SWAPPED_NEW).rawCorrect());
                assertEquals(swappedPmi[1], scores.get(Variant.SWAPPED_NEW).pmiCorrect());
            } finally {
                model.removeAdapter("fresh");
            }
        }
    }

    /** Base-model log-likelihoods of the item's answers, [0] with the read's vectors patched, [1] without. */
    private static double[][] scoreAlone(Llama model, LitRead read, FidelityEval.Item item) {
        try (GradMode off = GradMode.off(); NDManager manager = NDManager.newBaseManager()) {
            NDArray vectors = LitActivations.read(model, List.of(read), 15, null, false, manager);
            List<LitWrite> writes = item.answers().stream()
                    .map(a -> SmolLm2Fixture.builder().write(read.vectorCount(), item.question(), a)).toList();
            return new double[][]{LitChoiceScorer.logLikelihoods(model, writes, vectors, 0, null, manager),
                    LitChoiceScorer.logLikelihoods(model, writes, null, 0, null, manager)};
        }
    }

    private static FidelityEval.Item item(String label) {
        return new FidelityEval.Item(label, read(), "q", List.of("a"));
    }

    private static LitRead read() {
        return new LitRead(new int[] {1, 2, 3}, null, new int[] {0, 1, 2});
    }
}
