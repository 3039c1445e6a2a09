package io.latentqa.trainer.cli;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.model.Llama;
import io.latentqa.trainer.eval.ControlProbe;
import io.latentqa.trainer.eval.ControlProbe.Block;
import io.latentqa.trainer.eval.ControlProbe.Identification;
import io.latentqa.trainer.eval.FidelityEval.Interval;
import io.latentqa.trainer.report.ProbeChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ./latentqa probe}: after which block does the target carry its hidden system prompt in the vectors a
 * decoder is shown ({@link ControlProbe})? No training; a few minutes on two cores. Reads training records by
 * default (choosing a read layer on the eval split would tune to it). Prints a table per block and writes
 * {@code probe.json} and {@code probe.svg}.
 *
 * <pre>
 * ProbeCommand [--model PATH] [--records FILE] [--prompts 10] [--users 20] [--seed 0] [--out DIR]
 * </pre>
 */
public final class ProbeCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Flags FLAGS = new Flags("probe");

    public static void main(String[] args) throws IOException {
        Flags.exitOnUsageError(() -> run(args));
    }

    private static void run(String[] args) throws IOException {
        Path shared = Path.of(System.getProperty("latentqa.shared", "../shared"));
        Path model = shared.resolve("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
        Path records = shared.resolve("data/latentqa/train/system.json");
        Path out = Path.of(".latentqa", "probe");
        int promptCount = 10;
        int userCount = 20;
        long seed = 0;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--model" -> model = Path.of(FLAGS.value(args[i], value));
                case "--records" -> records = Path.of(FLAGS.value(args[i], value));
                case "--prompts" -> promptCount = FLAGS.integer(args[i], value);
                case "--users" -> userCount = FLAGS.integer(args[i], value);
                case "--seed" -> seed = FLAGS.longInteger(args[i], value);
                case "--out" -> out = Path.of(FLAGS.value(args[i], value));
                default -> FLAGS.fail("unknown argument '" + args[i] + "'; usage: probe [--model PATH] [--records FILE] [--prompts 10]"
                        + " [--users 20] [--seed 0] [--out DIR]");
            }
            i++;
        }
        if (promptCount < 2 || userCount < 2) {
            FLAGS.fail("--prompts and --users must be at least 2");
        }
        List<LitRecord> all = EvalCommand.systemRecords(records, Integer.MAX_VALUE, seed);
        try (ModelFiles files = ModelLoader.load(model); Llama llama = Llama.load(files.weights(), DataType.FLOAT32)) {
            LitPromptBuilder builder = LitPromptBuilder.create(files.tokenizer(), files.chatTemplate());
            List<LitRecord> prompts = ControlProbe.equalLengthPrompts(all, builder, promptCount, seed);
            Set<String> promptLabels = prompts.stream().map(LitRecord::label).collect(Collectors.toSet());
            List<LitRecord> users = all.stream().filter(r -> !promptLabels.contains(r.label())).limit(userCount).toList();
            if (users.size() < 2) {
                FLAGS.fail(records + " has too few other system records for user turns");
            }
            System.out.printf("control probe: %d system prompts of one length x %d user turns of %s, read after every block of"
                    + " %s; chance %.1f %%%n", prompts.size(), users.size(), records.getFileName(), model.getFileName(),
                    100.0 / prompts.size());
            ProgressBar bar = new ProgressBar("user turns", users.size());
            ControlProbe.Result result = ControlProbe.run(llama, builder, prompts, users, seed, bar::update);
            bar.finish();
            print(result);
            Files.createDirectories(out);
            writeReport(out, result, model, records, seed);
            ProbeChart.write(out.resolve("probe.svg"), result, String.format("hidden system prompt identified from the read, %s"
                    + " (%d prompts x %d user turns)", model.getFileName(), prompts.size(), users.size()));
            System.out.println("wrote " + out.resolve("probe.json") + " and " + out.resolve("probe.svg"));
        }
    }

    private static void print(ControlProbe.Result result) {
        if (result.systemTurnTokens() > 0) {
            System.out.printf("system turn of every prompt: %d tokens, so only the prompts' content differs%n", result.systemTurnTokens());
        } else {
            System.out.println("the prompts' system turns differ in length: length and position also tell them apart");
        }
        System.out.printf("%5s  %-26s %-26s %-26s %s%n", "block", "last vector [95% CI]", "mean of shown [95% CI]",
                "shuffled control", "prompt share");
        for (Block b : result.blocks()) {
            System.out.printf("%5d  %-26s %-26s %-26s %.3f%n", b.block(), format(b.last()), format(b.meanOfShown()),
                    format(b.shuffled()), b.promptShare());
        }
        Block best = result.blocks().stream().max(Comparator.comparingInt((Block b) -> b.last().correct())
                .thenComparingInt(b -> -b.block())).orElseThrow();
        System.out.printf("most identifiable from the last vector: after block %d (%s)%n", best.block(), format(best.last()));
        System.out.println("identified: the read's nearest read of another user turn was made under the same system prompt;"
                + " prompt share: |v - mean over the user turn's reads| / |v| of the last vector");
    }

    private static String format(Identification id) {
        Interval i = id.interval();
        return String.format("%5.1f %% [%4.1f, %4.1f]", 100 * i.value(), 100 * i.low(), 100 * i.high());
    }

    private static void writeReport(Path out, ControlProbe.Result result, Path model, Path records, long seed) throws IOException {
        ObjectNode report = JSON.createObjectNode()
                .put("model", model.getFileName().toString())
                .put("records", records.getFileName().toString())
                .put("users", result.users())
                .put("systemTurnTokens", result.systemTurnTokens())
                .put("chance", result.chance())
                .put("seed", seed);
        ArrayNode prompts = report.putArray("prompts");
        result.prompts().forEach(prompts::add);
        ArrayNode blocks = report.putArray("blocks");
        for (Block b : result.blocks()) {
            ObjectNode node = blocks.addObject().put("block", b.block()).put("promptShare", b.promptShare());
            put(node, "last", b.last());
            put(node, "meanOfShown", b.meanOfShown());
            put(node, "shuffled", b.shuffled());
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("probe.json").toFile(), report);
    }

    private static void put(ObjectNode node, String name, Identification id) {
        Interval i = id.interval();
        node.putObject(name).put("correct", id.correct()).put("total", id.total()).put("value", i.value())
                .put("low", i.low()).put("high", i.high());
    }
}
