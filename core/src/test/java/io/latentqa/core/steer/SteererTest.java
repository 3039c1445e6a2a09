package io.latentqa.core.steer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.ReadPrompt;
import io.latentqa.core.lora.Adapter;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.Stories260k;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control loss of method doc §6 on stories260K in float64: its gradient with respect to the steering
 * LoRA against central finite differences (through the frozen decoder and the patched activations), in
 * single-layer mode (one loss at the read layer, through every steered block) and in per-layer mode (block
 * l's LoRA gets the gradient of the loss at block l's output only); and Adam steps that lower it.
 * Tolerances as in GradientCheckTest.
 */
class SteererTest {

    private static final double STEP = 1e-5;
    private static final double RELATIVE = 1e-5;
    private static final int READ_LAYER = 3;
    private static final Llama2cTokenizer TOK = Llama2cTokenizer.load(SharedFiles.stories260kDir().resolve("tok512.bin"));
    private static final LitPromptBuilder BUILDER = LitPromptBuilder.forTextModel(TOK, Llama2cTokenizer.BOS, Llama2cTokenizer.EOS);
    private static Llama model;

    @BeforeAll
    static void load() {
        model = Stories260k.load(DataType.FLOAT64);
        model.addAdapter(random("decoder", LoraConfig.of(2, 4f, 0f, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.V_PROJ,
                LoraTarget.DOWN_PROJ)), 5));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static LitExample sample(String opening, String answer) {
        return BUILDER.build(ReadPrompt.unmasked(List.of(ChatMessage.user(opening)), false), "What animal is the story about?",
                answer);
    }

    private static SteeringConfig config(boolean perLayer) {
        LoraConfig lora = LoraConfig.of(2, 4f, 0f, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.K_PROJ, LoraTarget.V_PROJ,
                LoraTarget.O_PROJ, LoraTarget.GATE_PROJ, LoraTarget.UP_PROJ, LoraTarget.DOWN_PROJ))
                .withLayers(IntStream.rangeClosed(0, READ_LAYER).boxed().toList());
        return new SteeringConfig(READ_LAYER, 0, lora, 1e-2, perLayer, 7);
    }

    @Test
    void singleLayerGradientFlowsFromTheReadLayerThroughEverySteeredBlock() {
        checkGradients(false);
    }

    @Test
    void perLayerGradientOfEachBlockIsThatOfItsOwnLossOnly() {
        checkGradients(true);
    }

    private void checkGradients(boolean perLayer) {
        LitExample sample = sample("Once upon a time there was a sad little dog named Tom who loved his red ball.", "a cat");
        try (Steerer steerer = Steerer.start(model, config(perLayer), "steer", "decoder"); NDManager m = NDManager.newBaseManager()) {
            randomize(steerer.adapter(), 11); // B = 0 at the start would make every A gradient vanish
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(Steerer.sum(steerer.losses(List.of(sample), false, m)));
            }
            Map<String, double[]> gradients = new HashMap<>();
            steerer.adapter().parameters().forEach((name, p) -> gradients.put(name, p.getGradient().toDoubleArray()));
            int[] layers = steerer.config().lossLayers();
            Random random = new Random(3);
            int differs = 0;
            for (int layer = 0; layer <= READ_LAYER; layer++) {
                for (String module : List.of("self_attn.q_proj.lora_A", "self_attn.o_proj.lora_B", "mlp.up_proj.lora_A",
                        "mlp.down_proj.lora_B")) {
                    String name = "base_model.model.model.layers." + layer + "." + module + ".weight";
                    NDArray parameter = steerer.adapter().parameters().get(name);
                    int own = perLayer ? layer : layers.length - 1; // the loss this block's gradient must come from
                    for (int k = 0; k < 2; k++) {
                        int i = random.nextInt((int) parameter.size());
                        double fd = centralDifference(parameter, i, () -> steerer.losses(List.of(sample), false, m).get(own).getDouble());
                        check(name + "[" + i + "]", gradients.get(name)[i], fd);
                        if (perLayer && layer < READ_LAYER) {
                            // the summed loss also depends on this block through the later blocks: the cut must be real
                            double all = centralDifference(parameter, i,
                                    () -> Steerer.sum(steerer.losses(List.of(sample), false, m)).getDouble());
                            if (Math.abs(all - fd) > 1e-3 * Math.max(Math.abs(fd), 1e-6)) {
                                differs++;
                            }
                        }
                    }
                }
            }
            if (perLayer) {
                assertTrue(differs > 0, "no checked coordinate's loss depends on later blocks: the per-layer check proves nothing");
            }
        }
    }

    @Test
    void adamStepsLowerTheControlLossAndTheAdapterStartsAsTheTarget() {
        LitExample sample = sample("Once upon a time there was a happy little bird named Lily who loved her blue kite.", "a frog");
        try (Steerer steerer = Steerer.start(model, config(false), "steer", "decoder")) {
            double target = steerer.loss(List.of(sample), false);
            double start = steerer.loss(List.of(sample), true);
            assertEquals(target, start, 1e-12, "a fresh steering adapter (B = 0) must leave the target unchanged");
            double first = 0;
            for (int i = 0; i < 15; i++) {
                Steerer.Step step = steerer.step(sample);
                if (i == 0) {
                    first = step.loss();
                }
                assertTrue(Double.isFinite(step.gradientNorm()) && step.gradientNorm() > 0, "step " + (i + 1) + " has no gradient");
            }
            double end = steerer.loss(List.of(sample), true);
            // 1e-6 relative: the per-example mean weighs tokens by 1/count in float32 (LitLoss.exampleLosses)
            assertEquals(start, first, 1e-6 * start, "the first step's loss is the loss before any update");
            assertTrue(end < 0.8 * start, "15 Adam steps should lower the control loss by 20 %: " + start + " -> " + end);
            assertEquals(target, steerer.loss(List.of(sample), false), 1e-12, "the target without the adapter stays as it was");
        }
    }

    @Test
    void drawsEveryPromptBothWaysWithEveryQaPairThenKeepsTheFirstSamples() {
        List<SteeringDraw> all = SteeringDraw.draw(4, 3, 1000, 42);
        assertEquals(2 * 4 * 3, all.size());
        assertEquals(all.size(), new HashSet<>(all).size());
        List<SteeringDraw> kept = SteeringDraw.draw(4, 3, 10, 42);
        assertEquals(all.subList(0, 10), kept, "the first samples of the same shuffle");
        assertNotEquals(kept, SteeringDraw.draw(4, 3, 10, 43), "another seed, another order");
    }

    /** (L(w + h) - L(w - h)) / 2h for element i of {@code parameter}, restoring it afterwards. */
    private static double centralDifference(NDArray parameter, int i, DoubleSupplier loss) {
        double[] values = parameter.toDoubleArray();
        double original = values[i];
        values[i] = original + STEP;
        parameter.set(values);
        double plus = loss.getAsDouble();
        values[i] = original - STEP;
        parameter.set(values);
        double minus = loss.getAsDouble();
        values[i] = original;
        parameter.set(values);
        return (plus - minus) / (2 * STEP);
    }

    private static void check(String what, double gradient, double finiteDifference) {
        double error = Math.abs(gradient - finiteDifference);
        double scale = Math.max(Math.abs(gradient), Math.abs(finiteDifference));
        boolean ok = scale < 1e-7 ? error < 1e-10 : error / scale < RELATIVE;
        assertTrue(ok, what + ": autograd " + gradient + ", finite difference " + finiteDifference + ", relative error " + error / scale);
    }

    private static void randomize(Adapter adapter, long seed) {
        Random random = new Random(seed);
        for (NDArray p : adapter.parameters().values()) {
            double[] v = new double[(int) p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextGaussian() * 0.05;
            }
            p.set(v);
        }
    }

    private static Adapter random(String name, LoraConfig config, long seed) {
        Adapter adapter = Adapter.initialize(name, config, model.config(), DataType.FLOAT64, seed);
        randomize(adapter, seed);
        return adapter;
    }
}
