package io.latentqa.steering.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.grammar.TemplateQa;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.core.model.Llama;
import io.latentqa.core.steer.Steerer;
import io.latentqa.core.steer.SteeringConfig;
import io.latentqa.core.steer.SteeringDraw;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.train.NonFiniteStepException;
import io.latentqa.steering.control.ControlSpec;
import io.latentqa.steering.control.PromptPool;
import io.latentqa.steering.eval.Behaviour;
import io.latentqa.steering.runtime.TargetChat;

/**
 * {@code ./latentqa steer-eval}: the steering results of docs/steering.md, in one process on the same code paths as
 * the service (PromptPool, SteeringDraw, Steerer, the target's chat). For each control, on held-out user turns of
 * train/system.json:
 * <ul>
 *   <li>unsteered: the target as it is;</li>
 *   <li>prompted: the control's text as the system prompt;</li>
 *   <li>steered: a steering adapter trained through the decoder (the shipped one by default);</li>
 *   <li>steered, base decoder: the same job with the untrained base model as the decoder.</li>
 * </ul>
 * For each: the share of answers showing the behaviour (keywords, or AFINN valence for the sentiment control), the
 * perplexity of the answers under the unsteered target, the share of degenerate answers, and the control loss on
 * held-out prompts (the decoder reading the target's activations). Writes {@code <out>/steer-eval.json}.
 */
public final class SteerEvalCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The sentiment control of issue 23, as a goal in words. */
    static final String CHEERFUL = "The assistant is always cheerful and positive.";

    private SteerEvalCommand() {
    }

    public static void main(String[] args) throws IOException {
        Path shared = Path.of(System.getProperty("latentqa.shared", "../shared"));
        Path model = shared.resolve("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
        Path data = shared.resolve("data/latentqa");
        Path decoderDir = Path.of("decoders/latentqa-smollm2-135m-v1");
        Path out = Path.of(".latentqa/steer-eval");
        List<String> controls = List.of("golden_gate", "harry_potter", "promote_veganism", "cheerful");
        int samples = 50;
        double lr = 1e-4;
        int prompts = 40;
        int lossPrompts = 8;
        int maxNew = 48;
        long seed = 42;
        boolean perLayer = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--model" -> { model = Path.of(need(args[i], value)); i++; }
                case "--decoder" -> { decoderDir = Path.of(need(args[i], value)); i++; }
                case "--out" -> { out = Path.of(need(args[i], value)); i++; }
                case "--controls" -> { controls = List.of(need(args[i], value).split(",")); i++; }
                case "--samples" -> { samples = Integer.parseInt(need(args[i], value)); i++; }
                case "--lr" -> { lr = Double.parseDouble(need(args[i], value)); i++; }
                case "--prompts" -> { prompts = Integer.parseInt(need(args[i], value)); i++; }
                case "--loss-prompts" -> { lossPrompts = Integer.parseInt(need(args[i], value)); i++; }
                case "--max-new-tokens" -> { maxNew = Integer.parseInt(need(args[i], value)); i++; }
                case "--seed" -> { seed = Long.parseLong(need(args[i], value)); i++; }
                case "--per-layer" -> perLayer = true;
                default -> usage("unknown flag " + args[i]);
            }
        }
        ModelFiles files = ModelLoader.load(model);
        try (Llama llama = Llama.load(files.weights(), DataType.FLOAT32)) {
            files.weights().close();
            LitPromptBuilder builder = LitPromptBuilder.create(files.tokenizer(), files.chatTemplate());
            TargetChat chat = new TargetChat(llama, builder, files.tokenizer());
            Map<String, String> meta = AdapterFile.readMetadata(decoderDir);
            int readLayer = Integer.parseInt(meta.getOrDefault(AdapterFile.META_READ_LAYERS, "15"));
            int writeLayer = Integer.parseInt(meta.getOrDefault(AdapterFile.META_WRITE_LAYERS, "0"));
            llama.addAdapter(AdapterFile.load(decoderDir, "decoder", llama.config(), llama.dataType()).adapter());
            PromptPool pool = PromptPool.builtIn(data);
            List<String> heldOut = pool.heldOut().subList(0, Math.min(prompts, pool.heldOut().size())).stream()
                    .map(ControlSpec.PoolPrompt::prompt).toList();
            System.out.printf("steer-eval: %s, decoder %s (reads block %d), %d train prompts, %d held-out answers per variant%n",
                    files.modelId(), decoderDir.getFileName(), readLayer, pool.train().size(), heldOut.size());

            List<TargetChat.Answer> unsteered = chat.answer(heldOut.stream().map(TargetChat::user).toList(), maxNew, null);
            ObjectNode report = JSON.createObjectNode();
            report.put("model", files.modelId()).put("decoder", decoderDir.getFileName().toString()).put("samples", samples)
                    .put("learningRate", lr).put("perLayer", perLayer).put("seed", seed).put("heldOutPrompts", heldOut.size())
                    .put("lossPrompts", lossPrompts).put("maxNewTokens", maxNew);
            ObjectNode results = report.putObject("controls");
            for (String name : controls) {
                String text;
                List<TemplateQa> qa = new ArrayList<>();
                if (name.equals("cheerful")) {
                    text = CHEERFUL;
                    qa.add(TemplateQa.instruction(CHEERFUL));
                } else {
                    JsonNode file = JSON.readTree(data.resolve("controls/" + name + ".json").toFile());
                    text = file.fieldNames().next();
                    int k = 0;
                    for (JsonNode pair : file.get(text)) {
                        qa.add(new TemplateQa("control-" + k++, pair.get(0).asText(), pair.get(1).asText()));
                    }
                }
                List<LitExample> lossSamples = new ArrayList<>();
                for (String turn : heldOut.subList(0, Math.min(lossPrompts, heldOut.size()))) {
                    for (TemplateQa pair : qa) {
                        lossSamples.add(builder.build(PromptPool.read(turn, null), pair.question(), pair.answer()));
                    }
                }
                ObjectNode control = results.putObject(name);
                control.put("control", text);
                Map<String, List<TargetChat.Answer>> answers = new LinkedHashMap<>();
                answers.put("unsteered", unsteered);
                List<List<ChatMessage>> prompted = heldOut.stream()
                        .map(turn -> List.of(ChatMessage.system(text), ChatMessage.user(turn))).toList();
                answers.put("prompted", chat.answer(prompted, maxNew, null));
                double targetLoss = Steerer.meanLoss(llama, lossSamples, readLayer, writeLayer, null, "decoder");
                ObjectNode loss = control.putObject("controlLoss");
                loss.put("unsteered", targetLoss);
                for (String variant : List.of("steered", "steered-base-decoder")) {
                    String decoder = variant.equals("steered") ? "decoder" : null;
                    SteeringConfig config = new SteeringConfig(readLayer, writeLayer, SteeringConfig.defaultLora(readLayer), lr,
                            perLayer, seed);
                    try (Steerer steerer = Steerer.start(llama, config, "steer", decoder)) {
                        List<SteeringDraw> draws = SteeringDraw.draw(pool.train().size(), qa.size(), samples, seed);
                        List<LitExample> train = samples(builder, chat, pool, draws, qa, maxNew);
                        double seconds = 0;
                        ArrayNode curve = control.putArray(variant + "-losses");
                        for (int s = 0; s < train.size(); s++) {
                            Steerer.Step step = steerer.step(train.get(s));
                            seconds += step.seconds();
                            curve.add(step.loss());
                            System.out.printf("\r  %-16s %-22s step %3d/%d  loss %.3f  %.2f s/step", name, variant, s + 1,
                                    train.size(), step.loss(), seconds / (s + 1));
                        }
                        System.out.println();
                        control.put(variant + "-secondsPerStep", seconds / train.size());
                        // the trained decoder judges both steered targets, so their losses compare
                        loss.put(variant, Steerer.meanLoss(llama, lossSamples, readLayer, writeLayer, "steer", "decoder"));
                        answers.put(variant, chat.answer(heldOut.stream().map(TargetChat::user).toList(), maxNew, "steer"));
                    } catch (NonFiniteStepException e) {
                        // reported, not hidden: the variant has no answers and its row says why
                        System.out.println();
                        System.out.println("  " + name + " " + variant + " FAILED: " + e.getMessage());
                        control.put(variant + "-failed", e.getMessage());
                    }
                }
                ObjectNode variants = control.putObject("variants");
                for (Map.Entry<String, List<TargetChat.Answer>> e : answers.entrySet()) {
                    variants.set(e.getKey(), measure(name, e.getValue(), chat));
                }
                JsonNode examples = control.putArray("examples");
                for (int i = 0; i < Math.min(3, heldOut.size()); i++) {
                    ObjectNode example = ((ArrayNode) examples).addObject().put("prompt", heldOut.get(i));
                    for (Map.Entry<String, List<TargetChat.Answer>> e : answers.entrySet()) {
                        example.put(e.getKey(), e.getValue().get(i).text());
                    }
                }
                System.out.println(summary(name, control));
                Files.createDirectories(out);
                Files.writeString(out.resolve("steer-eval.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            }
            System.out.println(markdown(report));
            System.out.println("wrote " + out.resolve("steer-eval.json"));
        } finally {
            files.close();
        }
    }

    /** The job's samples: the draws made into reads, (b) with the target's own answers. */
    private static List<LitExample> samples(LitPromptBuilder builder, TargetChat chat, PromptPool pool, List<SteeringDraw> draws,
                                            List<TemplateQa> qa, int maxNew) {
        List<Integer> needed = draws.stream().filter(SteeringDraw::withResponse).map(SteeringDraw::prompt).distinct().toList();
        List<TargetChat.Answer> responses = chat.answer(needed.stream().map(i -> TargetChat.user(pool.train().get(i).prompt())).toList(),
                64, null);
        Map<Integer, String> byPrompt = new LinkedHashMap<>();
        for (int i = 0; i < needed.size(); i++) {
            byPrompt.put(needed.get(i), responses.get(i).text());
        }
        List<LitExample> samples = new ArrayList<>();
        for (SteeringDraw draw : draws) {
            String turn = pool.train().get(draw.prompt()).prompt();
            TemplateQa pair = qa.get(draw.qa());
            samples.add(builder.build(PromptPool.read(turn, draw.withResponse() ? byPrompt.get(draw.prompt()) : null),
                    pair.question(), pair.answer()));
        }
        return samples;
    }

    private static ObjectNode measure(String control, List<TargetChat.Answer> answers, TargetChat chat) {
        ObjectNode m = JSON.createObjectNode();
        List<String> keywords = Behaviour.KEYWORDS.get(control);
        int shows = 0;
        int degenerate = 0;
        double valence = 0;
        for (TargetChat.Answer a : answers) {
            shows += keywords != null && Behaviour.shows(a.text(), keywords) ? 1 : 0;
            degenerate += Behaviour.degenerate(a.text()) ? 1 : 0;
            valence += Behaviour.valencePerWord(a.text());
        }
        double[] nll = chat.answerNll(answers, null);
        double nllSum = 0;
        int tokens = 0;
        for (int i = 0; i < answers.size(); i++) {
            if (!Double.isNaN(nll[i])) {
                nllSum += nll[i] * answers.get(i).tokens().length;
                tokens += answers.get(i).tokens().length;
            }
        }
        m.put("answers", answers.size());
        if (keywords != null) {
            m.put("showsBehaviour", (double) shows / answers.size());
        }
        m.put("valencePerWord", valence / answers.size());
        m.put("perplexity", tokens == 0 ? Double.NaN : Math.exp(nllSum / tokens));
        m.put("degenerate", (double) degenerate / answers.size());
        return m;
    }

    private static String summary(String name, ObjectNode control) {
        StringBuilder s = new StringBuilder(name + ":\n");
        control.get("variants").fields().forEachRemaining(e -> s.append(String.format(Locale.ROOT,
                "  %-22s behaviour %s  valence/word %+.3f  perplexity %6.2f  degenerate %4.1f %%  control loss %s%n", e.getKey(),
                e.getValue().has("showsBehaviour") ? String.format(Locale.ROOT, "%5.1f %%", 100 * e.getValue().get("showsBehaviour").asDouble()) : "  n/a  ",
                e.getValue().get("valencePerWord").asDouble(), e.getValue().get("perplexity").asDouble(),
                100 * e.getValue().get("degenerate").asDouble(),
                control.get("controlLoss").has(e.getKey()) ? String.format(Locale.ROOT, "%.3f", control.get("controlLoss").get(e.getKey()).asDouble()) : "n/a")));
        return s.toString();
    }

    /** The results as the table of docs/steering.md. */
    static String markdown(JsonNode report) {
        StringBuilder s = new StringBuilder("| control | variant | shows the behaviour | valence / word | perplexity (unsteered"
                + " model) | degenerate | control loss |\n|---|---|---|---|---|---|---|\n");
        report.get("controls").fields().forEachRemaining(c -> {
            JsonNode control = c.getValue();
            for (String variant : List.of("unsteered", "prompted", "steered", "steered-base-decoder")) {
                JsonNode v = control.path("variants").path(variant);
                if (v.isMissingNode()) {
                    s.append(String.format(Locale.ROOT, "| %s | %s | failed: %s | | | | |%n", c.getKey(), variant,
                            control.path(variant + "-failed").asText("not run").replace("|", "/")));
                    continue;
                }
                JsonNode loss = control.path("controlLoss").path(variant);
                s.append(String.format(Locale.ROOT, "| %s | %s | %s | %+.3f | %.2f | %.0f %% | %s |%n", c.getKey(), variant,
                        v.has("showsBehaviour") ? String.format(Locale.ROOT, "%.0f %% (%d/%d)", 100 * v.get("showsBehaviour").asDouble(),
                                Math.round(v.get("showsBehaviour").asDouble() * v.get("answers").asInt()), v.get("answers").asInt()) : "n/a",
                        v.get("valencePerWord").asDouble(), v.get("perplexity").asDouble(), 100 * v.get("degenerate").asDouble(),
                        loss.isMissingNode() ? "n/a" : String.format(Locale.ROOT, "%.3f", loss.asDouble())));
            }
        });
        return s.toString();
    }

    private static String need(String flag, String value) {
        if (value == null) {
            usage(flag + " needs a value");
        }
        return value;
    }

    private static void usage(String message) {
        System.err.println("steer-eval: " + message + "\nusage: ./latentqa steer-eval [--controls golden_gate,harry_potter,"
                + "promote_veganism,cheerful] [--samples 50] [--lr 1e-4] [--per-layer] [--prompts 40] [--loss-prompts 8]"
                + " [--max-new-tokens 48] [--seed 42] [--decoder DIR] [--model PATH] [--out DIR]");
        System.exit(2);
    }
}
