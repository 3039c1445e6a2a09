package io.latentqa.trainer.lit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentqa.core.lit.LabelKind;
import io.latentqa.core.lit.LitActivations;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitLoss;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.lit.ReadPrompt;
import ai.djl.ndarray.index.NDIndex;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.Llama;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.train.NonFiniteStepException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LIT training on SmolLM2 with tiny settings (r 4, short sqa control examples): resuming from a
 * checkpoint reproduces an uninterrupted run, and training lowers the loss on a repeated batch.
 */
class LitTrainerTest {

    /** Float tolerance on losses: both runs do the same float32 operations in the same order. */
    private static final double LOSS_TOLERANCE = 1e-5;

    private static TrainingConfig tiny(int batchSize, int gradAccum, float dropout, double lr, int steps) {
        LoraConfig lora = LoraConfig.of(4, 8f, dropout, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.K_PROJ, LoraTarget.V_PROJ,
                LoraTarget.O_PROJ, LoraTarget.GATE_PROJ, LoraTarget.UP_PROJ, LoraTarget.DOWN_PROJ));
        return new TrainingConfig(15, 0, lora, lr, TrainingConfig.Schedule.COSINE, 1, 0.01, 0.9, 0.999, 1e-8,
                batchSize, gradAccum, 1.0, 1, steps, 7, 0);
    }

    @Test
    void resumedRunEndsAtTheSameLossAsAnUninterruptedRun(@TempDir Path dir) {
        Llama model = SmolLm2Fixture.model();
        List<LitExample> examples = SmolLm2Fixture.shortExamples(4);
        // batch 1 with accumulation 2 over 4 examples: 4 steps cross an epoch boundary, dropout on
        TrainingConfig config = tiny(1, 2, 0.05f, 1e-3, 4);

        List<Double> straight = new ArrayList<>();
        float[] straightWeights;
        try (LitTrainer trainer = LitTrainer.start(model, config, examples, "straight")) {
            while (!trainer.isDone()) {
                StepResult r = trainer.step();
                System.out.printf("uninterrupted step %d: loss %.6f, |g| %.4f, lr %.2e, %.0f tokens/s, %.2f s%n", r.step(),
                        r.loss(), r.gradientNorm(), r.learningRate(), r.tokensPerSecond(), r.seconds());
                straight.add(r.loss());
            }
            straightWeights = flatten(trainer.adapter().parameters());
        }

        List<Double> resumed = new ArrayList<>();
        Path checkpoint = dir.resolve("step-2");
        try (LitTrainer first = LitTrainer.start(model, config, examples, "first-half")) {
            resumed.add(first.step().loss());
            resumed.add(first.step().loss());
            first.save(checkpoint, "smollm2", Map.of("latentqa.training_run_id", "resume-test"));
        }
        float[] resumedWeights;
        try (LitTrainer second = LitTrainer.resume(model, config, examples, "second-half", checkpoint)) {
            assertEquals(2, second.steps());
            assertEquals(4, second.microSteps());
            while (!second.isDone()) {
                StepResult r = second.step();
                System.out.printf("resumed step %d: loss %.6f%n", r.step(), r.loss());
                resumed.add(r.loss());
            }
            resumedWeights = flatten(second.adapter().parameters());
        }

        for (int i = 0; i < straight.size(); i++) {
            System.out.printf("step %d: uninterrupted %.7f, resumed %.7f, |diff| %.2e%n", i + 1, straight.get(i),
                    resumed.get(i), Math.abs(straight.get(i) - resumed.get(i)));
            assertEquals(straight.get(i), resumed.get(i), LOSS_TOLERANCE, "loss of step " + (i + 1));
        }
        double worst = 0;
        for (int i = 0; i < straightWeights.length; i++) {
            worst = Math.max(worst, Math.abs(straightWeights[i] - resumedWeights[i]));
        }
        System.out.printf("final adapter weights: max |diff| %.2e over %d values%n", worst, straightWeights.length);
        assertTrue(worst < 1e-6, "final adapters differ by " + worst);
        // the steps did change the adapter (B starts at zero)
        assertTrue(straight.get(3) != straight.get(0));
    }

    @Test
    void checkpointRoundTripsAdapterAndOptimizerState(@TempDir Path dir) {
        Llama model = SmolLm2Fixture.model();
        List<LitExample> one = SmolLm2Fixture.shortExamples(1);
        TrainingConfig config = tiny(1, 1, 0.05f, 1e-3, 3);
        Path checkpoint = dir.resolve("step-1");
        Map<String, float[]> weights = new java.util.LinkedHashMap<>();
        Map<String, float[]> moments;
        try (LitTrainer trainer = LitTrainer.start(model, config, one, "saved")) {
            trainer.step();
            trainer.save(checkpoint, "smollm2", Map.of());
            trainer.adapter().parameters().forEach((name, p) -> weights.put(name, p.toFloatArray()));
            moments = trainer.optimizer().state();
        }
        try (LitTrainer resumed = LitTrainer.resume(model, config, one, "loaded", checkpoint)) {
            resumed.adapter().parameters().forEach((name, p) ->
                    assertArrayEquals(weights.get(name), p.toFloatArray(), name));
            Map<String, float[]> restored = resumed.optimizer().state();
            moments.forEach((name, values) -> assertArrayEquals(values, restored.get(name), name));
            assertEquals(1, resumed.optimizer().steps());
            double loss = loss(model, one.get(0), resumed);
            System.out.printf("loss with the resumed adapter: %.6f%n", loss);
            assertTrue(Double.isFinite(loss), "the resumed adapter gives a finite loss");
            double dropoutLoss = loss(model, one.get(0), resumed, true);
            System.out.printf("training-mode loss with the resumed adapter: %.6f%n", dropoutLoss);
            StepResult next = resumed.step();
            System.out.printf("resumed step: loss %.6f, |g| %.4f%n", next.loss(), next.gradientNorm());
            assertTrue(Double.isFinite(next.loss()), "a training step after resume gives a finite loss");
        }
    }

    @Test
    void trainingLowersTheLossOnARepeatedBatch() {
        Llama model = SmolLm2Fixture.model();
        List<LitExample> one = SmolLm2Fixture.shortExamples(1);
        TrainingConfig config = new TrainingConfig(15, 0, LoraConfig.of(4, 8f, 0f, EnumSet.of(LoraTarget.Q_PROJ,
                LoraTarget.V_PROJ, LoraTarget.O_PROJ, LoraTarget.DOWN_PROJ)), 2e-3, TrainingConfig.Schedule.CONSTANT, 0, 0.0,
                0.9, 0.999, 1e-8, 1, 1, 0, 1, 6, 3, 0);
        try (LitTrainer trainer = LitTrainer.start(model, config, one, "sanity")) {
            double before = loss(model, one.get(0), trainer);
            List<Double> losses = new ArrayList<>();
            while (!trainer.isDone()) {
                losses.add(trainer.step().loss());
            }
            double after = loss(model, one.get(0), trainer);
            System.out.printf("repeated batch: eval loss before %.4f, after %d steps %.4f; step losses %s%n", before,
                    trainer.steps(), after, losses);
            assertEquals(before, losses.get(0), 1e-4, "the first step's loss is the untrained loss (B = 0, no dropout)");
            assertTrue(after < 0.7 * before, "six AdamW steps on one example should cut its loss by 30%: " + before + " -> " + after);
        }
    }

    @Test
    void nonFiniteStepIsTakenAgainThenStopsTheRunWithoutTouchingTheAdapter() {
        Llama model = Stories260kFixture.model();
        LitPromptBuilder builder = Stories260kFixture.builder();
        LitExample example = builder.build(ReadPrompt.unmasked(List.of(ChatMessage.user("Once upon a time there was a cat.")),
                false), "What animal is the story about?", "a cat");
        TrainingConfig config = new TrainingConfig(3, 0, LoraConfig.of(4, 8f, 0f, EnumSet.of(LoraTarget.Q_PROJ,
                LoraTarget.V_PROJ)), 1e-3, TrainingConfig.Schedule.CONSTANT, 0, 0.0, 0.9, 0.999, 1e-8, 1, 1, 0, 1, 3, 3, 0);
        try (LitTrainer trainer = LitTrainer.start(model, config, List.of(example), "poisoned")) {
            trainer.step();
            // a NaN in one LoRA B: every later loss is NaN, deterministically
            NDArray b = trainer.adapter().parameters().entrySet().stream()
                    .filter(e -> e.getKey().contains("lora_B")).findFirst().orElseThrow().getValue();
            try (GradMode off = GradMode.off()) {
                b.set(new NDIndex("0, 0"), Float.NaN);
            }
            Map<String, float[]> before = new java.util.LinkedHashMap<>();
            trainer.adapter().parameters().forEach((name, p) -> before.put(name, p.toFloatArray()));
            long cursor = trainer.microSteps();

            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, trainer::step);
            System.out.println("non-finite step: " + e.getMessage());
            assertTrue(e.getMessage().contains("non-finite loss (NaN) of micro-batch " + cursor), e.getMessage());
            assertTrue(e.getMessage().endsWith("; the same on a second try"), e.getMessage());
            assertEquals(1, trainer.steps());
            assertEquals(cursor, trainer.microSteps(), "the data cursor stays at the failed step");
            trainer.adapter().parameters().forEach((name, p) -> assertArrayEquals(before.get(name), p.toFloatArray(), name));
            trainer.adapter().parameters().forEach((name, p) ->
                    assertEquals(0f, p.getGradient().abs().sum().getFloat(), name + ": gradients are zeroed after the failed step"));
        }
    }

    private static double loss(Llama model, LitExample example, LitTrainer trainer) {
        return loss(model, example, trainer, false);
    }

    private static double loss(Llama model, LitExample example, LitTrainer trainer, boolean training) {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<LitRead> reads = List.of(example.read());
            List<LitWrite> writes = List.of(example.write());
            NDArray vectors = LitActivations.read(model, reads, 15, null, false, manager);
            return LitLoss.evaluate(model, writes, vectors, 0, LabelKind.TRAIN, trainer.adapter().name(), training, manager)
                    .batchLoss().getFloat();
        }
    }

    private static float[] flatten(Map<String, NDArray> parameters) {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (NDArray p : parameters.values()) {
            float[] values = p.toFloatArray();
            parts.add(values);
            total += values.length;
        }
        float[] out = new float[total];
        int offset = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }
}
