package io.latentqa.steering.control;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.core.grammar.TemplateQa;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.core.steer.SteeringConfig;

/**
 * Reads a control request (POST /v1/controls), checking every field and naming the one to fix:
 * <pre>
 * {"control": {"Pretend you are …": [["What type of persona …?", "The assistant will …"], …]}   (a controls/*.json file)
 *  | "goal": "The assistant is always cheerful and positive",
 *  "id": "golden-gate-1", "prompts": "&lt;JSONL: {\"prompt\": …, \"response\": …} per line&gt;",
 *  "samples": 50, "steps": 50, "learningRate": 1e-4, "perLayer": false, "decoder": "latentqa-smollm2-135m-v1",
 *  "lora": {"rank": 16, "alpha": 32, "dropout": 0.1, "targets": ["q_proj", …], "layers": [0, …, 15]},
 *  "seed": 42, "heldOut": 8, "maxNewTokens": 64, "score": true}
 * </pre>
 * The read layer comes from the decoder (its adapter's metadata), so the layers are checked against it.
 */
public final class ControlSpecParser {

    /** Job ids: what Kafka keys, URLs and file names can all carry; the adapter id is {@code steer-<id>}. */
    public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /** Adapter ids, as every service spells them. */
    public static final Pattern ADAPTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    static final int MAX_QA = 100;
    static final int MAX_TEXT = 4_000;
    static final int MAX_PROMPTS = 5_000;
    private static final Set<String> FIELDS = Set.of("id", "control", "goal", "prompts", "samples", "steps", "learningRate",
            "lora", "perLayer", "decoder", "seed", "heldOut", "maxNewTokens", "score");
    private static final Set<String> LORA_FIELDS = Set.of("rank", "alpha", "dropout", "targets", "layers");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String defaultDecoder;

    public ControlSpecParser(String defaultDecoder) {
        this.defaultDecoder = defaultDecoder;
    }

    /** The decoder a request names (or the default), checked as an id; read before the rest to learn the layers. */
    public String decoder(JsonNode request) {
        requireObject(request);
        JsonNode node = request.get("decoder");
        if (node == null || node.isNull()) {
            return defaultDecoder;
        }
        String id = text(request, "decoder", 128);
        if (!ADAPTER_ID.matcher(id).matches()) {
            throw invalid("decoder must be an adapter id (1-128 letters, digits, '.', '_' or '-') or \"base\", got '"
                    + excerpt(id) + "'");
        }
        return id;
    }

    /**
     * @param id        the job id to use when the request gives none
     * @param readLayer the decoder's read layer
     * @param nLayers   the model's blocks
     */
    public ControlSpec parse(JsonNode request, String id, int readLayer, int nLayers) {
        requireObject(request);
        for (Iterator<String> names = request.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw invalid("unknown field '" + excerpt(name) + "'; a control request has " + new TreeSet<>(FIELDS));
            }
        }
        if (request.hasNonNull("id")) {
            id = text(request, "id", 100);
            if (!JOB_ID.matcher(id).matches()) {
                throw invalid("id must be 1-100 letters, digits, '.', '_' or '-' starting with a letter or digit, got '"
                        + excerpt(id) + "'");
            }
        }
        boolean hasControl = request.hasNonNull("control");
        boolean hasGoal = request.hasNonNull("goal");
        if (hasControl == hasGoal) {
            throw invalid("give exactly one of control (QA pairs: {\"<control prompt>\": [[question, answer], …]}, the format of"
                    + " controls/*.json) and goal (the behaviour in words)");
        }
        String controlText;
        List<TemplateQa> qa;
        if (hasGoal) {
            controlText = text(request, "goal", MAX_TEXT);
            if (controlText.isBlank()) {
                throw invalid("goal must not be blank: say the behaviour in words, e.g. \"The assistant is always cheerful\"");
            }
            qa = goalPairs(controlText);
        } else {
            JsonNode control = request.get("control");
            if (!control.isObject() || control.size() != 1) {
                throw invalid("control must be an object with one key, the control prompt, whose value lists [question, answer]"
                        + " pairs (the format of controls/*.json)");
            }
            Map.Entry<String, JsonNode> entry = control.fields().next();
            controlText = clean(entry.getKey(), "control's key", MAX_TEXT);
            qa = pairs(entry.getValue());
        }
        List<ControlSpec.PoolPrompt> prompts = request.hasNonNull("prompts") ? prompts(request.get("prompts")) : null;
        int samples = integer(request, "samples", 50, 1, 5_000);
        int steps = integer(request, "steps", samples, 1, 10_000);
        double learningRate = number(request, "learningRate", 1e-4, 1e-8, 1.0);
        boolean perLayer = bool(request, "perLayer", false);
        long seed = integer(request, "seed", 42, 0, Integer.MAX_VALUE);
        int heldOut = integer(request, "heldOut", 8, 1, 64);
        int maxNewTokens = integer(request, "maxNewTokens", 64, 1, 512);
        boolean score = bool(request, "score", true);
        LoraConfig lora = lora(request.get("lora"), readLayer, nLayers);
        try {
            new SteeringConfig(readLayer, 0, lora, learningRate, perLayer, seed);
        } catch (IllegalArgumentException e) {
            throw invalid("lora: " + e.getMessage());
        }
        return new ControlSpec(id, controlText, qa, prompts, samples, steps, learningRate, lora, perLayer, decoder(request),
                seed, heldOut, maxNewTokens, score);
    }

    /**
     * A goal in words as QA pairs, by dataset-service's template for a hidden instruction: "What instruction was the
     * assistant given?" answered by the goal itself.
     */
    static List<TemplateQa> goalPairs(String goal) {
        return List.of(TemplateQa.instruction(goal));
    }

    private static List<TemplateQa> pairs(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            throw invalid("control: the QA list is empty or not a list; give [[question, answer], …] (at most " + MAX_QA + ")");
        }
        if (list.size() > MAX_QA) {
            throw invalid("control: " + list.size() + " QA pairs, at most " + MAX_QA);
        }
        List<TemplateQa> pairs = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode pair = list.get(i);
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
                throw invalid("control: pair " + i + " must be [question, answer], two strings");
            }
            String question = clean(pair.get(0).asText(), "control pair " + i + "'s question", MAX_TEXT);
            String answer = clean(pair.get(1).asText(), "control pair " + i + "'s answer", MAX_TEXT);
            if (question.isBlank() || answer.isBlank()) {
                throw invalid("control: pair " + i + " has a blank question or answer");
            }
            pairs.add(new TemplateQa("control-" + i, question, answer));
        }
        return pairs;
    }

    /** The JSONL prompt pool: one object per line, {"prompt": "...", "response": "..." (optional)}. */
    private static List<ControlSpec.PoolPrompt> prompts(JsonNode node) {
        if (!node.isTextual()) {
            throw invalid("prompts must be JSONL text: one {\"prompt\": \"...\", \"response\": \"...\"} object per line"
                    + " (response optional; the target answers when it is missing)");
        }
        List<ControlSpec.PoolPrompt> prompts = new ArrayList<>();
        String[] lines = node.asText().split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode line;
            try {
                line = JSON.readTree(lines[i]);
            } catch (JsonProcessingException e) {
                throw invalid("prompts: line " + (i + 1) + " is not a JSON object (the pool is JSONL: one"
                        + " {\"prompt\": \"...\"} per line): '" + excerpt(lines[i]) + "'");
            }
            if (line == null || !line.isObject() || !line.hasNonNull("prompt") || !line.get("prompt").isTextual()) {
                throw invalid("prompts: line " + (i + 1) + " needs a \"prompt\" string");
            }
            String prompt = clean(line.get("prompt").asText(), "prompts line " + (i + 1) + "'s prompt", MAX_TEXT);
            JsonNode response = line.get("response");
            if (response != null && !response.isNull() && !response.isTextual()) {
                throw invalid("prompts: line " + (i + 1) + "'s response must be a string");
            }
            String answer = response == null || response.isNull() ? null
                    : clean(response.asText(), "prompts line " + (i + 1) + "'s response", MAX_TEXT);
            if (prompt.isBlank()) {
                throw invalid("prompts: line " + (i + 1) + " has a blank prompt");
            }
            prompts.add(new ControlSpec.PoolPrompt(prompt, answer));
            if (prompts.size() > MAX_PROMPTS) {
                throw invalid("prompts: more than " + MAX_PROMPTS + " prompts");
            }
        }
        if (prompts.size() < 2) {
            throw invalid("prompts: " + prompts.size() + " prompt(s); give at least 2 (some are held out to measure the control)");
        }
        return prompts;
    }

    private static LoraConfig lora(JsonNode node, int readLayer, int nLayers) {
        LoraConfig d = SteeringConfig.defaultLora(readLayer);
        if (node == null || node.isNull()) {
            return d;
        }
        if (!node.isObject()) {
            throw invalid("lora must be an object: {\"rank\", \"alpha\", \"dropout\", \"targets\", \"layers\"}");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!LORA_FIELDS.contains(name)) {
                throw invalid("lora: unknown field '" + excerpt(name) + "'; lora has " + new TreeSet<>(LORA_FIELDS));
            }
        }
        int rank = integer(node, "rank", d.rank(), 1, 256, "lora.");
        double alpha = number(node, "alpha", 2.0 * rank, 1e-6, 1e6, "lora.");
        double dropout = number(node, "dropout", d.dropout(), 0, 0.9, "lora.");
        Set<LoraTarget> targets = d.targets();
        if (node.has("targets")) {
            if (!node.get("targets").isArray() || node.get("targets").isEmpty()) {
                throw invalid("lora.targets must be a non-empty list of module names, e.g. [\"q_proj\", \"v_proj\"]");
            }
            targets = EnumSet.noneOf(LoraTarget.class);
            for (JsonNode t : node.get("targets")) {
                try {
                    targets.add(LoraTarget.parse(t.asText()));
                } catch (IllegalArgumentException e) {
                    throw invalid("lora.targets: " + e.getMessage());
                }
            }
        }
        List<Integer> layers = new ArrayList<>(d.layers());
        if (node.has("layers")) {
            if (!node.get("layers").isArray() || node.get("layers").isEmpty()) {
                throw invalid("lora.layers must be a non-empty list of blocks, e.g. [0, 1, …, " + readLayer + "]");
            }
            layers = new ArrayList<>();
            for (JsonNode l : node.get("layers")) {
                if (!l.isInt() || l.asInt() < 0 || l.asInt() >= nLayers) {
                    throw invalid("lora.layers: " + excerpt(l.toString()) + " is not a block of this model (0 … " + (nLayers - 1) + ")");
                }
                if (l.asInt() > readLayer) {
                    throw invalid("lora.layers: block " + l.asInt() + " is past the decoder's read layer " + readLayer
                            + "; blocks after it cannot change what the decoder reads");
                }
                layers.add(l.asInt());
            }
        }
        try {
            return LoraConfig.of(rank, (float) alpha, (float) dropout, targets).withLayers(layers);
        } catch (IllegalArgumentException e) {
            throw invalid("lora: " + e.getMessage());
        }
    }

    private static void requireObject(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw invalid("the body must be a JSON object: {\"control\": {…}} or {\"goal\": \"…\"}");
        }
    }

    private static String text(JsonNode request, String field, int max) {
        JsonNode node = request.get(field);
        if (!node.isTextual()) {
            throw invalid(field + " must be a string");
        }
        return clean(node.asText(), field, max);
    }

    /** A string without NUL or other control characters but tab and newline, at most {@code max} characters. */
    static String clean(String value, String field, int max) {
        if (value.length() > max) {
            throw invalid(field + " is " + value.length() + " characters long, at most " + max);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                throw invalid(field + " holds the control character U+" + String.format("%04X", (int) c) + "; remove it");
            }
        }
        return value;
    }

    private static int integer(JsonNode request, String field, int otherwise, int min, int max) {
        return integer(request, field, otherwise, min, max, "");
    }

    private static int integer(JsonNode node, String field, int otherwise, int min, int max, String prefix) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min || value.asInt() > max) {
            throw invalid(prefix + field + " must be an integer in [" + min + ", " + max + "], got " + excerpt(value.toString()));
        }
        return value.asInt();
    }

    private static double number(JsonNode request, String field, double otherwise, double min, double max) {
        return number(request, field, otherwise, min, max, "");
    }

    private static double number(JsonNode node, String field, double otherwise, double min, double max, String prefix) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isNumber() || !(value.asDouble() >= min) || !(value.asDouble() <= max)) {
            throw invalid(prefix + field + " must be a number in [" + min + ", " + max + "], got " + excerpt(value.toString()));
        }
        return value.asDouble();
    }

    private static boolean bool(JsonNode request, String field, boolean otherwise) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isBoolean()) {
            throw invalid(field + " must be true or false, got " + excerpt(value.toString()));
        }
        return value.asBoolean();
    }

    /** At most 60 characters of a client's value, printable, for an error message. */
    static String excerpt(String value) {
        String printable = value.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 60 ? printable : printable.substring(0, 60) + "…";
    }

    static InvalidControlException invalid(String message) {
        return new InvalidControlException(message);
    }
}
