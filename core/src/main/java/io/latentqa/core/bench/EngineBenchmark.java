package io.latentqa.core.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.KvCache;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.LlamaConfig;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Measures the engine on a model (SmolLM2-135M in the project): prefill tokens/s (one 512-token
 * forward), decode tokens/s (128 tokens with the KV cache), forward GFLOP/s (FLOPs counted from
 * the shapes) next to a plain DJL float32 matmul measured in the same run, plus the CPU flags and
 * whether jemalloc is preloaded. Absolute numbers vary between machines and runs: compare ratios
 * within one run.
 *
 * <pre>
 *   java -cp ... io.latentqa.core.bench.EngineBenchmark MODEL_PATH [--prefill 512] [--decode 128] [--forward 100] [--reps 3]
 * </pre>
 */
public final class EngineBenchmark {

    private EngineBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: EngineBenchmark MODEL_PATH (.gguf, Hugging Face folder or llama2.c .bin)"
                    + " [--prefill 512] [--decode 128] [--forward 100] [--reps 3]");
            System.exit(2);
        }
        Path path = Path.of(args[0]);
        int prefill = intOption(args, "--prefill", 512);
        int decode = intOption(args, "--decode", 128);
        int forward = intOption(args, "--forward", 100);
        int reps = intOption(args, "--reps", 3);

        System.out.println("cpu flags: " + cpuFlags());
        System.out.println("jemalloc preloaded: " + jemallocPreloaded());
        System.out.println("engine: " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion()
                + ", intra-op threads " + ai.djl.pytorch.jni.JniUtils.getNumThreads()
                + ", available processors " + Runtime.getRuntime().availableProcessors());

        long t0 = System.nanoTime();
        Llama model;
        try (ModelFiles files = ModelLoader.load(path)) {
            model = Llama.load(files.weights(), DataType.FLOAT32);
        }
        LlamaConfig c = model.config();
        System.out.printf(Locale.ROOT, "model: %s loaded in %.1f s%n", c, seconds(t0));

        double matmul = matmulGflops(reps);
        System.out.printf(Locale.ROOT, "plain DJL matmul (512x576 x 576x1536, float32): %.1f GFLOP/s%n", matmul);

        Random random = new Random(1);
        int[] prompt = randomTokens(random, c.vocabSize(), Math.max(prefill, forward));

        // forward of ~100 tokens, all logits (what a scoring pass does) and last logit only
        int[] shortPrompt = Arrays.copyOf(prompt, forward);
        double allLogits = median(reps, () -> time(() -> run(model, shortPrompt, RowPositions.all(), null)));
        double lastLogit = median(reps, () -> time(() -> run(model, shortPrompt, RowPositions.last(), null)));
        System.out.printf(Locale.ROOT, "forward %d tokens: %.3f s with logits at every position (%.1f GFLOP/s),"
                        + " %.3f s with the last only (%.1f GFLOP/s)%n",
                forward, allLogits, forwardFlops(c, forward, 0, forward) / allLogits / 1e9,
                lastLogit, forwardFlops(c, forward, 0, 1) / lastLogit / 1e9);

        // prefill: one forward over the prompt into a cache, last logit only
        int[] longPrompt = Arrays.copyOf(prompt, prefill);
        double prefillSeconds = median(reps, () -> {
            try (KvCache cache = model.newCache(1, prefill)) {
                return time(() -> run(model, longPrompt, RowPositions.last(), cache));
            }
        });
        double prefillFlops = forwardFlops(c, prefill, 0, 1);
        System.out.printf(Locale.ROOT, "prefill %d tokens: %.3f s = %.1f tokens/s, %.1f GFLOP/s (%.1f%% of the plain matmul)%n",
                prefill, prefillSeconds, prefill / prefillSeconds, prefillFlops / prefillSeconds / 1e9,
                100 * prefillFlops / prefillSeconds / 1e9 / matmul);

        // decode: one token per forward after a 16-token prompt, attending over the cache
        int[] start = Arrays.copyOf(prompt, 16);
        double decodeSeconds = median(reps, () -> {
            try (KvCache cache = model.newCache(1, start.length + decode)) {
                run(model, start, RowPositions.last(), cache);
                return time(() -> {
                    for (int i = 0; i < decode; i++) {
                        run(model, new int[] {prompt[16 + i % (prompt.length - 16)]}, RowPositions.last(), cache);
                    }
                });
            }
        });
        double decodeFlops = 0;
        for (int i = 0; i < decode; i++) {
            decodeFlops += forwardFlops(c, 1, start.length + i, 1);
        }
        System.out.printf(Locale.ROOT, "decode %d tokens: %.3f s = %.1f tokens/s, %.1f GFLOP/s%n",
                decode, decodeSeconds, decode / decodeSeconds, decodeFlops / decodeSeconds / 1e9);
        model.close();
    }

    /**
     * Multiply-adds x 2 of one forward: T new tokens after {@code cached} cached ones, logits at
     * {@code logitRows} positions. Projections 2 T (dim (qDim + 2 kvDim) + qDim dim + 3 dim hidden)
     * per block; attention 4 T S H hs per block (scores and weighted sum over all S keys, as the
     * masked dense computation does); the head 2 rows dim V.
     */
    public static double forwardFlops(LlamaConfig c, int tokens, int cached, int logitRows) {
        double qDim = c.nHeads() * (double) c.headSize();
        double projections = 2.0 * tokens * (c.dim() * (qDim + 2.0 * c.kvDim()) + qDim * c.dim() + 3.0 * c.dim() * c.hiddenDim());
        double attention = 4.0 * tokens * (cached + tokens) * qDim;
        double head = 2.0 * logitRows * c.dim() * (double) c.vocabSize();
        return c.nLayers() * (projections + attention) + head;
    }

    private static void run(Llama model, int[] tokens, RowPositions logits, KvCache cache) {
        try (NDManager manager = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            NDArray out = model.forward(ForwardRequest.builder().setTokens(TokenBatch.of(tokens)).optLogits(logits)
                    .optCache(cache).build(), manager).logits();
            out.toFloatArray(); // wait for the result, as a caller would
        }
    }

    public static double matmulGflops(int reps) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(512, 576));
            NDArray b = manager.randomNormal(new Shape(576, 1536));
            int inner = 20;
            double seconds = median(reps + 1, () -> time(() -> {
                for (int i = 0; i < inner; i++) {
                    try (NDArray product = a.matMul(b)) {
                        product.getFloat(0, 0);
                    }
                }
            }));
            return 2.0 * 512 * 576 * 1536 * inner / seconds / 1e9;
        }
    }

    private interface Timed {
        double seconds();
    }

    private static double median(int reps, Timed timed) {
        timed.seconds(); // warm-up: first calls pay for allocation and kernel selection
        double[] times = new double[reps];
        for (int i = 0; i < reps; i++) {
            times[i] = timed.seconds();
        }
        Arrays.sort(times);
        return times[reps / 2];
    }

    private static double time(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return seconds(start);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static int[] randomTokens(Random random, int vocab, int n) {
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = 3 + random.nextInt(vocab - 3);
        }
        return tokens;
    }

    /** avx2 / avx512f as /proc/cpuinfo lists them for the first CPU. */
    public static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    java.util.Set<String> flags = java.util.Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                    return "avx2=" + flags.contains("avx2") + " avx512f=" + flags.contains("avx512f");
                }
            }
            return "no flags line in /proc/cpuinfo";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** True when libjemalloc is mapped into this process (LD_PRELOAD took effect). */
    public static boolean jemallocPreloaded() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.contains("libjemalloc"));
        } catch (IOException e) {
            String preload = System.getenv("LD_PRELOAD");
            return preload != null && preload.contains("jemalloc");
        }
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 1; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
