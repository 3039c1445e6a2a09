package io.latentqa.trainer.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentqa.core.lit.RecordKind;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.trainer.data.QaFilter;
import io.latentqa.trainer.lit.TrainingConfig;

import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a run spec (JSON) into a {@link RunSpec}, filling what is missing with the method doc's defaults
 * scaled to the model ({@link TrainingConfig#defaults}). Layout (every field optional):
 * <pre>
 * {"model": "smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf",
 *  "data": {"split": "train", "kinds": ["system"], "sources": [], "labelPrefix": "persona-", "limit": 0},
 *  "eval": {"split": "eval", "limit": 32, "every": 0, "mcItems": 16, "generate": 8},
 *  "readLayer": 15, "writeLayer": 0,
 *  "init": "latentqa-smollm2-135m-v1",
 *  "lora": {"rank": 16, "alpha": 32, "dropout": 0.05, "targets": ["q_proj", ..., "down_proj"]},
 *  "hyperparameters": {"learningRate": 1e-4, "schedule": "constant|cosine", "warmupSteps": 0, "weightDecay": 0.01,
 *                      "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "batchSize": 4, "gradAccum": 1,
 *                      "clipNorm": 0, "epochs": 1, "steps": 0, "seed": 42, "checkpointEvery": 500}}
 * </pre>
 * {@code init} names a decoder adapter (shipped in {@code decoders/} or published by an earlier run) whose weights
 * the run starts from; its LoRA shape and layers must be the spec's. {@code rank} is also accepted at the top level, and the hyperparameters may be given at the top level.
 * Unknown fields are errors, so a typo never trains with a silent default.
 */
public final class RunSpecParser {

    private static final Set<String> TOP = Set.of("model", "data", "eval", "readLayer", "writeLayer", "lora", "hyperparameters",
            "rank", "init");
    /** An adapter id: a plain folder name, never a path. */
    private static final java.util.regex.Pattern ADAPTER_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Set<String> HYPER = Set.of("learningRate", "schedule", "warmupSteps", "weightDecay", "beta1", "beta2",
            "epsilon", "batchSize", "gradAccum", "clipNorm", "epochs", "steps", "seed", "checkpointEvery");
    private static final Set<String> DATA = Set.of("split", "kinds", "sources", "labelPrefix", "limit");
    private static final Set<String> EVAL = Set.of("split", "kinds", "sources", "labelPrefix", "limit", "every", "mcItems",
            "generate");
    private static final Set<String> LORA = Set.of("rank", "alpha", "dropout", "targets");

    private final String defaultModel;
    private final String defaultSplit;
    private final String defaultEvalSplit;

    public RunSpecParser(String defaultModel, String defaultSplit, String defaultEvalSplit) {
        this.defaultModel = defaultModel;
        this.defaultSplit = defaultSplit;
        this.defaultEvalSplit = defaultEvalSplit;
    }

    /** The model path a spec names (before the layer count is known). */
    public String model(JsonNode spec) {
        return spec.hasNonNull("model") ? spec.get("model").asText() : defaultModel;
    }

    /**
     * @param nLayers blocks of the spec's model (the defaults and the layer checks depend on it)
     * @throws InvalidRunRequestException saying which field is wrong and what it accepts
     */
    public RunSpec parse(JsonNode spec, int nLayers) {
        Set<String> hyperAtTop = new LinkedHashSet<>();
        for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (HYPER.contains(field)) {
                hyperAtTop.add(field);
            } else if (!TOP.contains(field)) {
                throw invalid("unknown field '" + field + "'; a run spec has " + sorted(TOP) + " and the hyperparameters "
                        + sorted(HYPER));
            }
        }
        JsonNode hyper = object(spec, "hyperparameters", HYPER);
        JsonNode data = object(spec, "data", DATA);
        JsonNode eval = object(spec, "eval", EVAL);
        JsonNode lora = object(spec, "lora", LORA);
        TrainingConfig d = TrainingConfig.defaults(nLayers);

        int readLayer = integer(spec, "readLayer", d.readLayer());
        int writeLayer = integer(spec, "writeLayer", d.writeLayer());
        checkLayer("readLayer", readLayer, nLayers);
        checkLayer("writeLayer", writeLayer, nLayers);

        int rank = integer(lora, "rank", integer(spec, "rank", d.lora().rank()));
        if (rank < 1) {
            throw invalid("lora.rank must be >= 1, got " + rank + " (the recipe uses 16)");
        }
        double alpha = number(lora, "alpha", 2.0 * rank);
        double dropout = number(lora, "dropout", d.lora().dropout());
        Set<LoraTarget> targets = d.lora().targets();
        if (lora.has("targets")) {
            targets = EnumSet.noneOf(LoraTarget.class);
            for (JsonNode t : array(lora, "targets")) {
                try {
                    targets.add(LoraTarget.parse(t.asText()));
                } catch (IllegalArgumentException e) {
                    throw invalid("lora.targets: " + e.getMessage());
                }
            }
        }
        LoraConfig loraConfig;
        try {
            loraConfig = LoraConfig.of(rank, (float) alpha, (float) dropout, targets);
        } catch (IllegalArgumentException e) {
            throw invalid("lora: " + e.getMessage());
        }

        String schedule = text(hyperOr(spec, hyper, "schedule"), d.schedule().name()).toUpperCase(Locale.ROOT);
        TrainingConfig.Schedule parsedSchedule;
        try {
            parsedSchedule = TrainingConfig.Schedule.valueOf(schedule);
        } catch (IllegalArgumentException e) {
            throw invalid("hyperparameters.schedule must be 'constant' or 'cosine', got '" + schedule.toLowerCase(Locale.ROOT) + "'");
        }
        TrainingConfig training;
        try {
            training = new TrainingConfig(readLayer, writeLayer, loraConfig,
                    num(spec, hyper, "learningRate", d.learningRate()), parsedSchedule,
                    (int) num(spec, hyper, "warmupSteps", d.warmupSteps()),
                    num(spec, hyper, "weightDecay", d.weightDecay()),
                    num(spec, hyper, "beta1", d.beta1()), num(spec, hyper, "beta2", d.beta2()),
                    num(spec, hyper, "epsilon", d.epsilon()),
                    (int) num(spec, hyper, "batchSize", d.batchSize()),
                    (int) num(spec, hyper, "gradAccum", d.gradAccum()),
                    num(spec, hyper, "clipNorm", d.clipNorm()),
                    (int) num(spec, hyper, "epochs", d.epochs()),
                    (int) num(spec, hyper, "steps", d.maxSteps()),
                    (long) num(spec, hyper, "seed", d.seed()),
                    (int) num(spec, hyper, "checkpointEvery", d.checkpointEvery()));
        } catch (IllegalArgumentException e) {
            throw invalid("hyperparameters: " + e.getMessage());
        }
        QaFilter dataFilter = filter(data, "data", defaultSplit, 0);
        QaFilter evalFilter = filter(eval, "eval", defaultEvalSplit, 32);
        String init = null;
        if (spec.hasNonNull("init")) {
            if (!spec.get("init").isTextual() || !ADAPTER_ID.matcher(spec.get("init").asText()).matches()
                    || spec.get("init").asText().contains("..")) {
                throw invalid("init must be the id of a decoder adapter (letters, digits, '.', '_', '-'; at most 128), e.g."
                        + " latentqa-smollm2-135m-v1; got " + excerpt(spec.get("init").toString()));
            }
            init = spec.get("init").asText();
        }
        return new RunSpec(model(spec), dataFilter, evalFilter, integer(eval, "every", 0), evalFilter.limit(),
                integer(eval, "mcItems", 16), integer(eval, "generate", 8), training, init);
    }

    private static QaFilter filter(JsonNode node, String where, String defaultSplit, int defaultLimit) {
        Set<RecordKind> kinds = EnumSet.noneOf(RecordKind.class);
        for (JsonNode k : array(node, "kinds")) {
            try {
                kinds.add(QaFilter.parseKind(k.asText()));
            } catch (IllegalArgumentException e) {
                throw invalid(where + ".kinds: " + e.getMessage());
            }
        }
        Set<String> sources = new LinkedHashSet<>();
        array(node, "sources").forEach(s -> sources.add(s.asText()));
        int limit = integer(node, "limit", defaultLimit);
        if (limit < 0) {
            throw invalid(where + ".limit must be >= 0 (0 = all), got " + limit);
        }
        return new QaFilter(text(node.get("split"), defaultSplit), kinds, sources, text(node.get("labelPrefix"), ""), limit);
    }

    private static void checkLayer(String field, int layer, int nLayers) {
        if (layer < 0 || layer >= nLayers) {
            throw invalid(field + " " + layer + " does not exist: the model has blocks 0.." + (nLayers - 1)
                    + " (for LIT read after a middle block, e.g. " + (int) Math.ceil(15.0 / 32.0 * nLayers)
                    + ", and write after block 0)");
        }
    }

    private static JsonNode hyperOr(JsonNode spec, JsonNode hyper, String field) {
        return hyper.has(field) ? hyper.get(field) : spec.get(field);
    }

    private static double num(JsonNode spec, JsonNode hyper, String field, double fallback) {
        JsonNode value = hyperOr(spec, hyper, field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw invalid("hyperparameters." + field + " must be a number, got " + value);
        }
        return value.asDouble();
    }

    private static JsonNode object(JsonNode spec, String field, Set<String> known) {
        JsonNode node = spec.get(field);
        if (node == null || node.isNull()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw invalid(field + " must be a JSON object, got " + node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw invalid("unknown field '" + field + "." + name + "'; " + field + " has " + sorted(known));
            }
        }
        return node;
    }

    private static List<JsonNode> array(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw invalid(field + " must be a JSON array of strings, got " + value);
        }
        List<JsonNode> out = new java.util.ArrayList<>();
        value.forEach(out::add);
        return out;
    }

    private static int integer(JsonNode node, String field, int fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw invalid(field + " must be an integer, got " + value);
        }
        return value.asInt();
    }

    private static double number(JsonNode node, String field, double fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw invalid(field + " must be a number, got " + value);
        }
        return value.asDouble();
    }

    private static String text(JsonNode value, String fallback) {
        return value == null || value.isNull() ? fallback : value.asText();
    }

    private static String sorted(Set<String> names) {
        return new java.util.TreeSet<>(names).toString();
    }

    /** At most 60 characters of client input, for error messages. */
    private static String excerpt(String value) {
        return value.length() <= 60 ? value : value.substring(0, 60) + "… (" + value.length() + " characters)";
    }

    private static InvalidRunRequestException invalid(String message) {
        return new InvalidRunRequestException(message);
    }
}
