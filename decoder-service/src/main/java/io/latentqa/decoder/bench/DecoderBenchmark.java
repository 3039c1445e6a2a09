package io.latentqa.decoder.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.Positions;
import io.latentqa.core.generate.GenerationSettings;
import io.latentqa.core.generate.Generator;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.ReadPrompt;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.decoder.reading.DecoderReader;
import io.latentqa.decoder.reading.ReadItem;
import io.latentqa.decoder.reading.ReadVectors;

/**
 * {@code ./latentqa bench decoder}: the decoder's costs on a model, in-process (no Kafka, no PostgreSQL).
 * <ul>
 * <li>read latency p50/p95 of one question generating exactly N tokens (stop tokens off), against plain
 *     generation of the same N tokens from the same write ids without the patch: the ratio is the patching
 *     overhead (goal ≤ 1.2);</li>
 * <li>monitor throughput in events/s with 1 and 4 generating monitors: batches of 4 events, every event read by
 *     every monitor in one batched generation of N tokens per row (the MonitorEngine's work, minus Kafka and
 *     PostgreSQL).</li>
 * </ul>
 * Events are real: a chat is run through the base model and the residual after the read block is captured at
 * every position. Absolute figures vary between machines: compare ratios within one run.
 *
 * <pre>
 *   java -cp ... io.latentqa.decoder.bench.DecoderBenchmark MODEL_PATH [--tokens 32] [--reps 10] [--events 8]
 * </pre>
 */
public final class DecoderBenchmark {

    private static final int READ_LAYER = 15;
    private static final String QUESTION = "What instruction was the assistant given?";
    private static final List<List<ChatMessage>> DIALOGS = List.of(
            List.of(ChatMessage.system("You are a pirate. Answer every question in pirate speak."),
                    ChatMessage.user("What is the capital of France?")),
            List.of(ChatMessage.system("Always answer in exactly three words."),
                    ChatMessage.user("How do I bake bread at home?")),
            List.of(ChatMessage.user("Please make every effort to use homonyms to convey a hidden message in your next reply.")),
            List.of(ChatMessage.system("You are a cautious financial advisor who never recommends specific stocks."),
                    ChatMessage.user("Which stock should I buy this week?")));

    private DecoderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: DecoderBenchmark MODEL_PATH [--tokens 32] [--reps 10] [--events 8]");
            System.exit(2);
        }
        Path modelPath = Path.of(args[0]);
        int tokens = option(args, "--tokens", 32);
        int reps = option(args, "--reps", 10);
        int events = option(args, "--events", 8);
        try (ModelFiles files = ModelLoader.load(modelPath); Llama model = Llama.load(files.weights(), DataType.FLOAT32)) {
            DecoderReader reader = new DecoderReader(model, files.tokenizer(),
                    LitPromptBuilder.create(files.tokenizer(), files.chatTemplate()), files.modelId(), files.digest());
            System.out.printf(Locale.ROOT, "model %s (%s), cpu: %s, jemalloc preloaded: %s%n", files.modelId(),
                    model.config(), cpuModel(), String.valueOf(System.getenv("LD_PRELOAD")).contains("jemalloc"));
            List<ReadVectors> vectors = new ArrayList<>();
            for (int i = 0; i < DIALOGS.size(); i++) {
                vectors.add(reader.vectors(capture(reader, DIALOGS.get(i), "bench-" + i), READ_LAYER));
            }
            latency(reader, vectors.get(0), tokens, reps);
            for (int monitors : new int[] {1, 4}) {
                throughput(reader, vectors, monitors, events, tokens);
            }
        }
    }

    /** p50/p95 of one read vs plain generation of the same tokens on the same ids. */
    static void latency(DecoderReader reader, ReadVectors vectors, int tokens, int reps) {
        GenerationSettings fixed = GenerationSettings.greedy(tokens, Set.of()); // exactly `tokens` new tokens
        int[] ids = reader.openWrite(vectors.count(), QUESTION).ids();
        Generator plain = new Generator(reader.model());
        List<ReadItem> item = List.of(new ReadItem(vectors, QUESTION));
        // warm-up
        reader.read(item, fixed, null, 0);
        plain.generate(List.of(ids), fixed);
        double[] read = new double[reps];
        double[] generate = new double[reps];
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            reader.read(item, fixed, null, 0);
            read[r] = (System.nanoTime() - start) / 1e6;
            start = System.nanoTime();
            plain.generate(List.of(ids), fixed);
            generate[r] = (System.nanoTime() - start) / 1e6;
            System.out.printf(Locale.ROOT, "  rep %d: read %.1f ms, plain %.1f ms%n", r + 1, read[r], generate[r]);
        }
        Arrays.sort(read);
        Arrays.sort(generate);
        System.out.printf(Locale.ROOT, "read latency, 1 question, %d vectors, write length %d, %d new tokens, %d reps:%n",
                vectors.count(), ids.length, tokens, reps);
        System.out.printf(Locale.ROOT, "  read (patched):     p50 %8.1f ms  p95 %8.1f ms%n", pct(read, 50), pct(read, 95));
        System.out.printf(Locale.ROOT, "  plain generation:   p50 %8.1f ms  p95 %8.1f ms%n", pct(generate, 50),
                pct(generate, 95));
        System.out.printf(Locale.ROOT, "  overhead ratio:     p50 %.3f  p95 %.3f (goal <= 1.2)%n",
                pct(read, 50) / pct(generate, 50), pct(read, 95) / pct(generate, 95));
    }

    /** Events/s when every event is read by `monitors` generating monitors, 4 events per batch, rows of 8. */
    static void throughput(DecoderReader reader, List<ReadVectors> vectors, int monitors, int events, int tokens) {
        GenerationSettings fixed = GenerationSettings.greedy(tokens, Set.of());
        List<ReadItem> rows = new ArrayList<>();
        long start = System.nanoTime();
        int done = 0;
        for (int e = 0; e < events; e++) {
            for (int m = 0; m < monitors; m++) {
                rows.add(new ReadItem(vectors.get(e % vectors.size()), QUESTION + (m == 0 ? "" : " (" + m + ")")));
            }
            if ((e + 1) % 4 == 0 || e == events - 1) {
                for (int from = 0; from < rows.size(); from += 8) {
                    reader.read(rows.subList(from, Math.min(rows.size(), from + 8)), fixed, null, 0);
                }
                done += (e % 4) + 1;
                rows.clear();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "monitor throughput, %d monitor(s), %d events, %d tokens per reading: %.2f events/s"
                + " (%.1f s)%n", monitors, done, tokens, done / seconds, seconds);
    }

    /** Runs a dialog through the base model and captures block READ_LAYER at every position, as capture-service does. */
    static ActivationEvent capture(DecoderReader reader, List<ChatMessage> dialog, String requestId) {
        int[] ids = reader.builder().read(ReadPrompt.forReading(dialog)).ids();
        int d = reader.model().config().dim();
        float[] all;
        try (NDManager manager = NDManager.newBaseManager()) {
            ForwardRequest request = ForwardRequest.read(TokenBatch.of(List.of(ids)), List.of(READ_LAYER), RowPositions.all());
            all = reader.model().forward(request, manager).residual(READ_LAYER).toFloatArray(); // (1, T, d)
        }
        return new ActivationEvent(reader.modelId(), reader.modelDigest(), new int[] {READ_LAYER}, Positions.ALL,
                ActivationEvent.Source.EVAL, requestId, Instant.now(), null, ids, ids.length, d, all);
    }

    private static double pct(double[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static int option(String[] args, String name, int fallback) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown")
                    + (Files.readString(Path.of("/proc/cpuinfo")).contains("avx512f") ? " (AVX-512)" : " (no AVX-512)");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
