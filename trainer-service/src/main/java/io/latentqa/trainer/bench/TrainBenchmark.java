package io.latentqa.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import io.latentqa.core.bench.EngineBenchmark;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.RecordKind;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.LlamaConfig;
import io.latentqa.trainer.data.FileQaRecords;
import io.latentqa.trainer.data.QaFilter;
import io.latentqa.trainer.lit.LitExamples;
import io.latentqa.trainer.lit.LitTrainer;
import io.latentqa.trainer.lit.StepResult;
import io.latentqa.trainer.lit.TrainingConfig;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./latentqa bench train}: LIT training throughput on a model, with the service's default recipe
 * (LoRA r 16 / alpha 32 on q,k,v,o,gate,up,down, batch 4, read after block 15, write after block 0) on the
 * eval split's system records (real lengths). Prints training tokens/s (read + write tokens of the
 * examples, padding not counted) and achieved GFLOP/s next to a plain DJL matmul's GFLOP/s measured in the
 * same run.
 *
 * <p>FLOPs per example: the target forward over the read tokens up to the read block, plus the decoder
 * forward and backward over the write tokens. The base weights are frozen, so the backward computes
 * activation gradients only (one matmul per forward matmul, no weight-gradient matmuls): decoder = 2 x
 * forward. The head and the LoRA matmuls (rank 16) are left out, so the figure is a slight undercount.
 *
 * <pre>TrainBenchmark MODEL_PATH DATA_DIR [--steps 6] [--batch 4]</pre>
 */
public final class TrainBenchmark {

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: TrainBenchmark MODEL_PATH DATA_DIR [--steps 6] [--batch 4]");
            System.exit(2);
        }
        int steps = option(args, "--steps", 6);
        int batch = option(args, "--batch", 4);
        System.out.println("cpu flags: " + EngineBenchmark.cpuFlags() + ", jemalloc preloaded: " + EngineBenchmark.jemallocPreloaded());
        System.out.println("engine: " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion()
                + ", intra-op threads " + ai.djl.pytorch.jni.JniUtils.getNumThreads());

        double matmul = EngineBenchmark.matmulGflops(3);
        System.out.printf(Locale.ROOT, "plain DJL matmul (512x576 x 576x1536, float32): %.1f GFLOP/s%n", matmul);

        try (ModelFiles files = ModelLoader.load(Path.of(args[0])); Llama model = Llama.load(files.weights(), DataType.FLOAT32)) {
            LitPromptBuilder builder = LitPromptBuilder.create(files.tokenizer(), files.chatTemplate());
            List<LitExample> examples = LitExamples.build(builder, new FileQaRecords(Path.of(args[1]))
                    .find(new QaFilter("eval", Set.of(RecordKind.SYSTEM), Set.of("system"), "", batch * (steps + 1) * 2))).examples();
            LlamaConfig c = model.config();
            int readLayer = (int) Math.ceil(15.0 / 32 * c.nLayers());
            LoraConfig lora = LoraConfig.of(16, 32f, 0.05f, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.K_PROJ, LoraTarget.V_PROJ,
                    LoraTarget.O_PROJ, LoraTarget.GATE_PROJ, LoraTarget.UP_PROJ, LoraTarget.DOWN_PROJ));
            TrainingConfig config = new TrainingConfig(readLayer, 0, lora, 1e-4, TrainingConfig.Schedule.CONSTANT, 0, 0.01,
                    0.9, 0.999, 1e-8, batch, 1, 1.0, 1, steps + 1, 42, 0);
            System.out.printf(Locale.ROOT, "model: %s; %d examples, batch %d, read after block %d, write after block 0%n",
                    c, examples.size(), batch, readLayer);
            try (LitTrainer trainer = LitTrainer.start(model, config, examples, "bench")) {
                StepResult warm = trainer.step(); // first step pays for allocation and kernel selection
                System.out.printf(Locale.ROOT, "warm-up step: %.2f s, loss %.3f%n", warm.seconds(), warm.loss());
                double seconds = 0;
                double flops = 0;
                long tokens = 0;
                for (int s = 0; s < steps; s++) {
                    long cursor = trainer.microSteps();
                    StepResult r = trainer.step();
                    double stepFlops = 0;
                    for (LitExample e : trainer.batch(cursor)) {
                        stepFlops += exampleFlops(c, e, readLayer);
                    }
                    seconds += r.seconds();
                    flops += stepFlops;
                    tokens += r.tokens();
                    System.out.printf(Locale.ROOT, "step %d: %.2f s, %d tokens, %.1f tokens/s, %.1f GFLOP/s, loss %.3f, RSS %d MiB%n",
                            r.step(), r.seconds(), r.tokens(), r.tokensPerSecond(), stepFlops / r.seconds() / 1e9, r.loss(), rssMiB());
                }
                double gflops = flops / seconds / 1e9;
                System.out.printf(Locale.ROOT, "training: %.2f s per step of %d examples, %.1f tokens/s, %.1f GFLOP/s"
                        + " (%.1f%% of the plain matmul)%n", seconds / steps, batch, tokens / seconds, gflops, 100 * gflops / matmul);
            }
        }
    }

    /** Target forward up to and including the read block, decoder forward + backward (2x), head excluded. */
    static double exampleFlops(LlamaConfig c, LitExample e, int readLayer) {
        double target = EngineBenchmark.forwardFlops(c, e.read().length(), 0, 0) * (readLayer + 1) / c.nLayers();
        double decoder = 2 * EngineBenchmark.forwardFlops(c, e.write().length(), 0, 0);
        return target + decoder;
    }

    /** Resident memory of this process (native allocations included), from /proc/self/status. */
    static long rssMiB() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static int option(String[] args, String name, int fallback) {
        for (int i = 2; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
