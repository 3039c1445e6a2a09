package io.latentqa.trainer.cli;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.lit.RecordKind;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.core.model.Llama;
import io.latentqa.trainer.eval.FidelityEval;
import io.latentqa.trainer.eval.FidelityEval.Score;
import io.latentqa.trainer.eval.FidelityEval.Variant;
import io.latentqa.trainer.report.FidelityChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./latentqa eval}: the fidelity check of a decoder adapter on the eval split's hidden system prompts.
 * Each item is an eval {@code system} record: the target reads its dialog (system prompt masked, method doc
 * §2.3), the decoder is asked "What instruction was the assistant given?", and the true system prompt is
 * ranked among {@code choices - 1} system prompts of other labels. Prints the trained decoder next to its
 * controls ({@link FidelityEval}), raw and PMI-normalised, with 95 % intervals, and writes
 * {@code fidelity.json} and {@code fidelity.svg}. The user turn is on the prompt's topic, so each item is
 * also read with its system prompt swapped for one of the other candidates: a decoder that reads the hidden
 * prompt follows the swap, one that reads only the user turn keeps naming the original.
 *
 * <pre>
 * EvalCommand [--adapter DIR (default: the shipped decoder)] [--model PATH] [--records FILE] [--items 200] [--choices 10] [--seed 0] [--out DIR]
 * </pre>
 */
public final class EvalCommand {

    public static final String QUESTION = "What instruction was the assistant given?";
    /** The decoder that ships with the product, from the repository root (where {@code ./latentqa} runs this). */
    public static final Path SHIPPED_DECODER = Path.of("decoders/latentqa-smollm2-135m-v1");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Flags FLAGS = new Flags("eval");

    public static void main(String[] args) throws IOException {
        Flags.exitOnUsageError(() -> run(args));
    }

    private static void run(String[] args) throws IOException {
        Path shared = Path.of(System.getProperty("latentqa.shared", "../shared"));
        Path model = shared.resolve("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
        Path records = shared.resolve("data/latentqa/eval/system.json");
        Path adapterDir = SHIPPED_DECODER;
        Path out = null;
        int count = 200;
        int choices = 10;
        long seed = 0;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--adapter" -> adapterDir = Path.of(FLAGS.value(args[i], value));
                case "--model" -> model = Path.of(FLAGS.value(args[i], value));
                case "--records" -> records = Path.of(FLAGS.value(args[i], value));
                case "--items" -> count = FLAGS.integer(args[i], value);
                case "--choices" -> choices = FLAGS.integer(args[i], value);
                case "--seed" -> seed = FLAGS.longInteger(args[i], value);
                case "--out" -> out = Path.of(FLAGS.value(args[i], value));
                default -> FLAGS.fail("unknown argument '" + args[i] + "'; usage: eval [--adapter DIR] [--model PATH] [--records FILE]"
                        + " [--items 200] [--choices 10] [--seed 0] [--out DIR]");
            }
            i++;
        }
        if (!Files.isDirectory(adapterDir)) {
            FLAGS.fail("--adapter " + adapterDir + " is not a folder: give a decoder adapter folder (a run's adapter/, a"
                    + " checkpoint's adapter/ or the shipped " + SHIPPED_DECODER + ")");
        }
        if (choices < 2 || count < choices) {
            FLAGS.fail("--choices must be at least 2 and --items at least --choices (got " + choices + " and " + count + "): each item's"
                    + " distractors are the answers of the other sampled records");
        }
        if (out == null) {
            // beside the adapter, except for the shipped one: the repository's folders are no place for reports
            out = adapterDir.normalize().equals(SHIPPED_DECODER) ? Path.of(".latentqa/eval", adapterDir.getFileName() + "-fidelity")
                    : adapterDir.resolveSibling(adapterDir.getFileName() + "-fidelity");
        }

        List<LitRecord> system = systemRecords(records, count, seed);
        try (ModelFiles files = ModelLoader.load(model); Llama llama = Llama.load(files.weights(), DataType.FLOAT32)) {
            AdapterFile.Loaded loaded = AdapterFile.load(adapterDir, "decoder", llama.config(), llama.dataType());
            int readLayer = layer(loaded.metadata(), AdapterFile.META_READ_LAYERS, adapterDir);
            int writeLayer = layer(loaded.metadata(), AdapterFile.META_WRITE_LAYERS, adapterDir);
            llama.addAdapter(loaded.adapter());
            LitPromptBuilder builder = LitPromptBuilder.create(files.tokenizer(), files.chatTemplate());
            List<FidelityEval.Item> items = systemItems(system, builder, choices, seed);

            System.out.printf("fidelity: %d system records of %s, %d choices (chance %.0f %%), read after block %d, write after"
                    + " block %d, adapter %s%n", items.size(), records.getFileName(), choices, 100.0 / choices, readLayer, writeLayer,
                    adapterDir);
            ProgressBar bar = new ProgressBar("items", items.size());
            Map<Variant, Score> scores = new FidelityEval(llama, builder, readLayer, writeLayer)
                    .evaluate(items, "decoder", seed, bar::update);
            bar.finish();
            print(scores, choices);
            Files.createDirectories(out);
            writeReport(out, scores, adapterDir, loaded.metadata(), records, choices, seed);
            FidelityChart.write(out.resolve("fidelity.svg"), scores, choices, "decoder " + adapterDir.getFileName()
                    + ", " + items.size() + " system records of " + records.getFileName());
            System.out.println("wrote " + out.resolve("fidelity.json") + " and " + out.resolve("fidelity.svg"));
            loaded.adapter().close();
        }
    }

    /**
     * The multiple-choice items of system records: the target reads each dialog with its system prompt masked,
     * the true prompt is ranked among {@code choices - 1} prompts of the other records' labels, and each item
     * carries its swapped read ({@link #withSwappedReads}).
     */
    public static List<FidelityEval.Item> systemItems(List<LitRecord> system, LitPromptBuilder builder, int choices, long seed) {
        List<String> labels = system.stream().map(LitRecord::label).toList();
        List<LitRead> reads = system.stream().map(r -> builder.read(r.readPrompt())).toList();
        List<String> answers = system.stream().map(LitRecord::system).toList();
        return withSwappedReads(FidelityEval.items(labels, reads, answers, QUESTION, choices, seed), system, builder);
    }

    /**
     * Each item with its record's user turn read under the hidden system prompt of its first distractor
     * ({@code answers[1]}, another label's), for {@link Variant#SWAPPED_NEW} and {@link Variant#SWAPPED_OWN}.
     */
    public static List<FidelityEval.Item> withSwappedReads(List<FidelityEval.Item> items, List<LitRecord> records,
                                                           LitPromptBuilder builder) {
        List<FidelityEval.Item> swapped = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            FidelityEval.Item item = items.get(i);
            LitRecord own = records.get(i);
            LitRecord other = own.withControlOf(new LitRecord(item.answers().get(1), "", "", "", "", ""));
            swapped.add(item.withSwapped(builder.read(other.readPrompt())));
        }
        return swapped;
    }

    /** Eval records of kind system, a seeded sample of {@code count} (all if fewer). */
    public static List<LitRecord> systemRecords(Path file, int count, long seed) throws IOException {
        List<Map<String, Object>> json = JSON.readValue(file.toFile(), new TypeReference<>() { });
        List<LitRecord> system = new ArrayList<>();
        for (Map<String, Object> r : json) {
            LitRecord record = LitRecord.fromJson(r);
            if (record.kind() == RecordKind.SYSTEM) {
                system.add(record);
            }
        }
        Collections.shuffle(system, new Random(seed));
        return system.subList(0, Math.min(count, system.size()));
    }

    private static void print(Map<Variant, Score> scores, int choices) {
        System.out.printf("%-16s %28s %28s%n", "variant", "top-1 raw [95% CI]", "top-1 PMI [95% CI]");
        for (Score s : scores.values()) {
            if (s.items() == 0) {
                continue;
            }
            System.out.printf("%-16s %28s %28s%n", s.variant().title(), format(s.raw(), s.rawCorrect(), s.items()),
                    s.pmi() == null ? "n/a (0 by definition)" : format(s.pmi(), s.pmiCorrect(), s.items()));
        }
        System.out.printf("chance: %.1f %%%n", 100.0 / choices);
        System.out.printf("swapped: the record's user turn read under another label's system prompt (one of the %d others);"
                + " 'new': the decoder names that prompt (it reads the hidden prompt); 'own': it still names the record's own"
                + " prompt, which the target did not see (it reads the user turn only)%n", choices - 1);
    }

    private static String format(FidelityEval.Interval i, int k, int n) {
        return String.format("%5.1f %% [%4.1f, %4.1f] (%d/%d)", 100 * i.value(), 100 * i.low(), 100 * i.high(), k, n);
    }

    private static void writeReport(Path out, Map<Variant, Score> scores, Path adapterDir, Map<String, String> metadata,
                                    Path records, int choices, long seed) throws IOException {
        ObjectNode report = JSON.createObjectNode()
                .put("adapter", adapterDir.getFileName().toString())
                .put("trainingRunId", metadata.getOrDefault(AdapterFile.META_TRAINING_RUN_ID, ""))
                .put("records", records.getFileName().toString())
                .put("question", QUESTION)
                .put("choices", choices)
                .put("seed", seed)
                .put("finishedAt", Instant.now().toString());
        ArrayNode variants = report.putArray("variants");
        for (Score s : scores.values()) {
            if (s.items() == 0) {
                continue;
            }
            ObjectNode v = variants.addObject().put("variant", s.variant().name().toLowerCase()).put("items", s.items())
                    .put("rawCorrect", s.rawCorrect()).put("raw", s.raw().value())
                    .put("rawLow", s.raw().low()).put("rawHigh", s.raw().high());
            if (s.pmi() != null) {
                v.put("pmiCorrect", s.pmiCorrect()).put("pmi", s.pmi().value()).put("pmiLow", s.pmi().low()).put("pmiHigh", s.pmi().high());
            }
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("fidelity.json").toFile(), report);
    }

    private static int layer(Map<String, String> metadata, String key, Path dir) {
        String value = metadata.get(key);
        if (value == null || value.isBlank()) {
            FLAGS.fail(dir + " has no " + key + " in its metadata: it is not a decoder adapter written by trainer-service");
        }
        return Integer.parseInt(value.split(",")[0].trim());
    }
}
