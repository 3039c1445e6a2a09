package io.latentqa.trainer.cli;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.core.model.Llama;
import io.latentqa.trainer.eval.ClosedSet;
import io.latentqa.trainer.eval.FidelityEval.Interval;
import io.latentqa.trainer.lit.LitTrainer;
import io.latentqa.trainer.lit.StepResult;
import io.latentqa.trainer.lit.TrainingConfig;
import io.latentqa.trainer.report.ClosedSetChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ./latentqa closedset}: trains a decoder on the closed set of {@link ClosedSet} (training records only)
 * and scores it on held-out user turns before training and every {@code --eval-every} steps. A recipe that
 * does not beat the shuffled control here cannot read the hidden prompt anywhere; try recipes here, not on the
 * eval split. Prints a line per evaluation and writes {@code closedset.json} and {@code closedset.svg}.
 *
 * <pre>
 * ClosedSetCommand [--model PATH] [--records FILE] [--prompts 10] [--train-users 240] [--eval-users 60]
 *                  [--steps 400] [--eval-every 100] [--lr 1e-3] [--warmup 20] [--rank 16]
 *                  [--targets q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj] [--read-layer N]
 *                  [--write-layer 0] [--seed 42] [--out DIR]
 * </pre>
 */
public final class ClosedSetCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Flags FLAGS = new Flags("closedset");

    /** One evaluation after {@code step} steps; {@code loss} is the mean training loss since the previous one. */
    public record Point(int step, double loss, ClosedSet.Score score) {
    }

    public static void main(String[] args) throws IOException {
        Flags.exitOnUsageError(() -> run(args));
    }

    private static void run(String[] args) throws IOException {
        Path shared = Path.of(System.getProperty("latentqa.shared", "../shared"));
        Path model = shared.resolve("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
        Path records = shared.resolve("data/latentqa/train/system.json");
        Path out = Path.of(".latentqa", "closedset");
        int k = 10;
        int trainUsers = 240;
        int evalUsers = 60;
        int steps = 400;
        int evalEvery = 100;
        double lr = 1e-3;
        int warmup = 20;
        int rank = 16;
        Set<LoraTarget> targets = null;
        Integer readLayer = null;
        int writeLayer = 0;
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--model" -> model = Path.of(FLAGS.value(args[i], value));
                case "--records" -> records = Path.of(FLAGS.value(args[i], value));
                case "--prompts" -> k = FLAGS.integer(args[i], value);
                case "--train-users" -> trainUsers = FLAGS.integer(args[i], value);
                case "--eval-users" -> evalUsers = FLAGS.integer(args[i], value);
                case "--steps" -> steps = FLAGS.integer(args[i], value);
                case "--eval-every" -> evalEvery = FLAGS.integer(args[i], value);
                case "--lr" -> lr = FLAGS.decimal(args[i], value);
                case "--warmup" -> warmup = FLAGS.integer(args[i], value);
                case "--rank" -> rank = FLAGS.integer(args[i], value);
                case "--targets" -> targets = targets(FLAGS.value(args[i], value));
                case "--read-layer" -> readLayer = FLAGS.integer(args[i], value);
                case "--write-layer" -> writeLayer = FLAGS.integer(args[i], value);
                case "--seed" -> seed = FLAGS.longInteger(args[i], value);
                case "--out" -> out = Path.of(FLAGS.value(args[i], value));
                default -> FLAGS.fail("unknown argument '" + args[i] + "'; usage: closedset [--model PATH] [--records FILE] [--prompts 10]"
                        + " [--train-users 240] [--eval-users 60] [--steps 400] [--eval-every 100] [--lr 1e-3] [--warmup 20]"
                        + " [--rank 16] [--targets q_proj,...,down_proj] [--read-layer N] [--write-layer 0] [--seed 42] [--out DIR]");
            }
            i++;
        }
        if (k < 2 || trainUsers < 1 || evalUsers < 1 || steps < 1 || evalEvery < 1 || rank < 1 || !(lr > 0)) {
            FLAGS.fail("--prompts must be at least 2; --train-users, --eval-users, --steps, --eval-every and --rank at least 1;"
                    + " --lr above 0");
        }

        // a fixed record order (the file's, shuffled once as eval and probe do); the seed picks everything else
        List<LitRecord> all = EvalCommand.systemRecords(records, Integer.MAX_VALUE, 0);
        try (ModelFiles files = ModelLoader.load(model); Llama llama = Llama.load(files.weights(), DataType.FLOAT32)) {
            LitPromptBuilder builder = LitPromptBuilder.create(files.tokenizer(), files.chatTemplate());
            ClosedSet.Split split = ClosedSet.split(all, builder, EvalCommand.QUESTION, k, trainUsers, evalUsers, seed);
            TrainingConfig defaults = TrainingConfig.defaults(llama.config().nLayers());
            int read = readLayer == null ? defaults.readLayer() : readLayer;
            LoraConfig lora = LoraConfig.of(rank, 2f * rank, defaults.lora().dropout(),
                    targets == null ? defaults.lora().targets() : targets);
            TrainingConfig config = new TrainingConfig(read, writeLayer, lora, lr, TrainingConfig.Schedule.CONSTANT, warmup,
                    defaults.weightDecay(), defaults.beta1(), defaults.beta2(), defaults.epsilon(), 4, 1, 1.0, 1, steps, seed, 0);
            System.out.printf("closed set: %d system prompts of one length x %d user turns of %s (%d examples), %d held-out user"
                    + " turns; read after block %d, write after block %d; LoRA r %d on %s, lr %.1e constant after %d warm-up"
                    + " steps; chance %.0f %%%n", k, trainUsers, records.getFileName(), split.examples().size(), evalUsers, read,
                    writeLayer, rank, names(lora.targets()), lr, warmup, 100.0 / k);

            List<Point> points = new ArrayList<>();
            try (LitTrainer trainer = LitTrainer.start(llama, config, split.examples(), "decoder")) {
                points.add(evaluate(llama, builder, split, config, 0, Double.NaN));
                ProgressBar bar = new ProgressBar("steps", steps);
                double lossSum = 0;
                int lossCount = 0;
                while (!trainer.isDone()) {
                    StepResult step = trainer.step();
                    lossSum += step.loss();
                    lossCount++;
                    bar.update(step.step());
                    if (step.step() % evalEvery == 0 || trainer.isDone()) {
                        bar.finish();
                        points.add(evaluate(llama, builder, split, config, step.step(), lossSum / lossCount));
                        bar = new ProgressBar("steps", steps, step.step());
                        lossSum = 0;
                        lossCount = 0;
                    }
                }
            }
            Files.createDirectories(out);
            writeReport(out, split, config, points, records, model);
            ClosedSetChart.write(out.resolve("closedset.svg"), points, 1.0 / k, String.format(
                    "closed set: %d prompts x %d user turns, lr %.0e, r %d; %d held-out user turns", k, trainUsers, lr, rank, evalUsers));
            System.out.println("wrote " + out.resolve("closedset.json") + " and " + out.resolve("closedset.svg"));
        }
    }

    private static Point evaluate(Llama llama, LitPromptBuilder builder, ClosedSet.Split split, TrainingConfig config, int step,
                                  double loss) {
        ProgressBar bar = new ProgressBar("held-out user turns", split.evalUsers().size());
        ClosedSet.Score s = ClosedSet.evaluate(llama, builder, split, EvalCommand.QUESTION, config.readLayer(), config.writeLayer(),
                "decoder", bar::update);
        bar.finish();
        System.out.printf("step %4d  loss %s  PMI top-1 %s  shuffled %s  raw %s  true answer's PMI %.3f (shuffled %.3f) nats%n",
                step, Double.isNaN(loss) ? "  -   " : String.format("%.4f", loss), format(s.pmi()), format(s.shuffledPmi()),
                format(s.raw()), s.truePmi(), s.trueShuffledPmi());
        return new Point(step, loss, s);
    }

    private static String format(Interval i) {
        return String.format("%5.1f %% [%4.1f, %4.1f]", 100 * i.value(), 100 * i.low(), 100 * i.high());
    }

    private static void writeReport(Path out, ClosedSet.Split split, TrainingConfig config, List<Point> points, Path records,
                                    Path model) throws IOException {
        ObjectNode report = JSON.createObjectNode()
                .put("model", model.getFileName().toString())
                .put("records", records.getFileName().toString())
                .put("trainUsers", split.trainUsers().size())
                .put("evalUsers", split.evalUsers().size())
                .put("chance", 1.0 / split.prompts().size())
                .put("readLayer", config.readLayer())
                .put("writeLayer", config.writeLayer())
                .put("rank", config.lora().rank())
                .put("targets", names(config.lora().targets()))
                .put("learningRate", config.learningRate())
                .put("warmupSteps", config.warmupSteps())
                .put("seed", config.seed());
        ArrayNode prompts = report.putArray("prompts");
        split.prompts().forEach(p -> prompts.add(p.system()));
        ArrayNode evaluations = report.putArray("evaluations");
        for (Point p : points) {
            ObjectNode node = evaluations.addObject().put("step", p.step());
            if (!Double.isNaN(p.loss())) {
                node.put("trainingLoss", p.loss());
            }
            ClosedSet.Score s = p.score();
            node.put("total", s.total()).put("pmiCorrect", s.pmiCorrect()).put("shuffledPmiCorrect", s.shuffledPmiCorrect())
                    .put("rawCorrect", s.rawCorrect()).put("truePmi", s.truePmi()).put("trueShuffledPmi", s.trueShuffledPmi());
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("closedset.json").toFile(), report);
    }

    private static Set<LoraTarget> targets(String list) {
        Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (String name : list.split(",")) {
            try {
                targets.add(LoraTarget.parse(name.strip()));
            } catch (IllegalArgumentException e) {
                FLAGS.fail("--targets: " + e.getMessage());
            }
        }
        return targets;
    }

    private static String names(Set<LoraTarget> targets) {
        return targets.stream().map(LoraTarget::moduleName).collect(Collectors.joining(","));
    }
}
