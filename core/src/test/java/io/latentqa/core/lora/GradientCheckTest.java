package io.latentqa.core.lora;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.ResidualPatch;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.Stories260k;
import io.latentqa.core.model.TokenBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Autograd gradients of a LIT-like loss against central finite differences, in float64 on
 * stories260K: with respect to LoRA A and B of several layers (lm_head included) and to patched
 * residual vectors (replace and add-norm-matched).
 *
 * <p>Tolerance: relative error |g - fd| / max(|g|, |fd|) < 1e-5 for every checked coordinate with
 * |g| > 1e-7 (absolute 1e-10 below). In float64 the central difference with step h = 1e-5 has a
 * truncation error of order h^2 |f'''| ~ 1e-10 and a rounding error of order 1e-16 |L| / h ~ 1e-11
 * for a loss of order 1, so a correct gradient lands near 1e-6 relative at worst; a wrong one (a
 * missing term, a transposed factor, a detached path) is off by O(1).
 */
class GradientCheckTest {

    private static final double STEP = 1e-5;
    private static final double RELATIVE = 1e-5;
    private static Llama model;

    @BeforeAll
    static void load() {
        model = Stories260k.load(DataType.FLOAT64);
    }

    @AfterAll
    static void close() {
        model.close();
    }


    @Test
    void loraGradientsMatchFiniteDifferences() {
        LoraConfig config = LoraConfig.of(3, 6f, 0f, LoraConfig.ALL_LINEAR_AND_HEAD);
        Adapter adapter = randomAdapter("grad", config, 3);
        model.addAdapter(adapter);
        adapter.setTrainable(true);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, double[]> gradients = new HashMap<>();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = loss(m, "grad", List.of());
                collector.backward(loss);
            }
            for (Map.Entry<String, NDArray> p : adapter.parameters().entrySet()) {
                gradients.put(p.getKey(), p.getValue().getGradient().toDoubleArray());
            }
            Random random = new Random(1);
            for (String name : List.of(
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight",
                    "base_model.model.model.layers.2.self_attn.v_proj.lora_A.weight",
                    "base_model.model.model.layers.3.self_attn.o_proj.lora_B.weight",
                    "base_model.model.model.layers.4.mlp.gate_proj.lora_A.weight",
                    "base_model.model.model.layers.2.mlp.up_proj.lora_B.weight",
                    "base_model.model.model.layers.1.mlp.down_proj.lora_A.weight",
                    "base_model.model.lm_head.lora_A.weight",
                    "base_model.model.lm_head.lora_B.weight")) {
                NDArray parameter = adapter.parameters().get(name);
                for (int k = 0; k < 4; k++) {
                    int i = random.nextInt((int) parameter.size());
                    double fd = centralDifference(parameter, i, () -> loss(m, "grad", List.of()).getDouble());
                    check(name + "[" + i + "]", gradients.get(name)[i], fd);
                }
            }
        } finally {
            adapter.setTrainable(false);
            model.removeAdapter("grad").close();
        }
    }

    @Test
    void patchedVectorGradientsMatchFiniteDifferences() {
        int[][] positions = {{2, 3}, {1, 4, 5}};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray replaced = m.randomNormal(0, 1, new Shape(5, 64), DataType.FLOAT64);
            NDArray added = m.randomNormal(0, 1, new Shape(5, 64), DataType.FLOAT64);
            replaced.setRequiresGradient(true);
            added.setRequiresGradient(true);
            List<ResidualPatch> patches = List.of(ResidualPatch.replace(0, positions, replaced),
                    ResidualPatch.addNormMatched(2, positions, added));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(loss(m, null, patches));
            }
            double[] gReplaced = replaced.getGradient().toDoubleArray();
            double[] gAdded = added.getGradient().toDoubleArray();
            Random random = new Random(2);
            for (int k = 0; k < 12; k++) {
                int i = random.nextInt(5 * 64);
                check("replaced[" + i + "]", gReplaced[i], centralDifference(replaced, i, () -> loss(m, null, patches).getDouble()));
                int j = random.nextInt(5 * 64);
                check("added[" + j + "]", gAdded[j], centralDifference(added, j, () -> loss(m, null, patches).getDouble()));
            }
        }
    }

    /**
     * Mean next-token cross-entropy over two left-padded rows, each position predicting the next
     * token: a scalar of order 1, like the LIT loss.
     */
    private static NDArray loss(NDManager m, String adapter, List<ResidualPatch> patches) {
        int[][] rows = {Stories260k.story(6), Stories260k.story(9)};
        int[][] positions = new int[rows.length][];
        double[] targets = new double[(5 + 8) * 512];
        int n = 0;
        for (int b = 0; b < rows.length; b++) {
            positions[b] = new int[rows[b].length - 1];
            for (int t = 0; t < rows[b].length - 1; t++) {
                positions[b][t] = t;
                targets[n++ * 512 + rows[b][t + 1]] = 1;
            }
        }
        ForwardRequest request = ForwardRequest.builder().setTokens(TokenBatch.of(rows)).optLogits(RowPositions.at(positions))
                .optAdapter(adapter).optPatches(patches).build();
        NDArray logits = model.forward(request, m).logits();                  // (13, 512)
        NDArray oneHot = m.create(targets, new Shape(n, 512));
        return logits.logSoftmax(-1).mul(oneHot).sum().neg().div(n);
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

    private static double worst;

    @AfterAll
    static void report() {
        System.out.printf("[stats] gradient check: worst relative error %.2e (tolerance %.0e)%n", worst, RELATIVE);
    }

    private static void check(String what, double gradient, double finiteDifference) {
        double error = Math.abs(gradient - finiteDifference);
        double scale = Math.max(Math.abs(gradient), Math.abs(finiteDifference));
        if (scale >= 1e-7) {
            worst = Math.max(worst, error / scale);
        }
        boolean ok = scale < 1e-7 ? error < 1e-10 : error / scale < RELATIVE;
        assertTrue(ok, what + ": autograd " + gradient + ", finite difference " + finiteDifference + ", relative error " + error / scale);
    }

    /** Random A and B (B must be non-zero, or the gradient of A vanishes). */
    private static Adapter randomAdapter(String name, LoraConfig config, long seed) {
        Random random = new Random(seed);
        return Adapter.fromTensors(name, config, model.config(), DataType.FLOAT64, (tensor, shape) -> {
            LoraTarget target = null;
            for (LoraTarget t : LoraTarget.values()) {
                if (tensor.contains("." + t.moduleName() + ".")) {
                    target = t;
                }
            }
            boolean isA = tensor.contains("lora_A");
            int n = config.rank() * (isA ? target.inFeatures(model.config()) : target.outFeatures(model.config()));
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (random.nextGaussian() * (isA ? 0.1 : 0.05));
            }
            return v;
        });
    }
}
