package io.latentqa.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentqa.core.io.SafetensorsDType;
import io.latentqa.core.io.SafetensorsFile;
import io.latentqa.core.io.SafetensorsWriter;
import io.latentqa.core.model.LlamaConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Saves and loads adapters as a PEFT adapter folder, so PEFT loads ours and we load PEFT's:
 * <ul>
 *   <li>{@code adapter_model.safetensors}: F32 tensors named
 *       {@code base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight} (r, in),
 *       {@code ...lora_B.weight} (out, r), {@code mlp.gate_proj/up_proj/down_proj}, and
 *       {@code base_model.model.lm_head.lora_A.weight}; its {@code __metadata__} holds
 *       {@code format = pt} and our own string map (base model id and digest, read/write layers,
 *       training run id: see the {@code META_*} keys);</li>
 *   <li>{@code adapter_config.json}: PEFT's LoraConfig ({@code peft_type LORA}, {@code r},
 *       {@code lora_alpha}, {@code lora_dropout}, {@code target_modules}, {@code layers_to_transform},
 *       {@code bias none}, {@code base_model_name_or_path}, ...).</li>
 * </ul>
 * PEFT features this engine does not implement (DoRA, rsLoRA, rank/alpha patterns, biases,
 * modules_to_save, fan_in_fan_out) are rejected on load with the field named.
 */
public final class AdapterFile {

    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String CONFIG_FILE = "adapter_config.json";

    /** Metadata key: id of the base model the adapter was trained on. */
    public static final String META_BASE_MODEL_ID = "latentqa.base_model_id";
    /** Metadata key: digest (sha256) of the base model's weights. */
    public static final String META_BASE_MODEL_DIGEST = "latentqa.base_model_digest";
    /** Metadata key: the target blocks read, comma-separated. */
    public static final String META_READ_LAYERS = "latentqa.read_layers";
    /** Metadata key: the decoder blocks written, comma-separated. */
    public static final String META_WRITE_LAYERS = "latentqa.write_layers";
    /** Metadata key: id of the training run that produced the adapter. */
    public static final String META_TRAINING_RUN_ID = "latentqa.training_run_id";
    /** Metadata key: id of the decoder adapter a training run started from (absent: PEFT's initialisation). */
    public static final String META_INIT_ADAPTER = "latentqa.init_adapter";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AdapterFile() {
    }

    /** An adapter read from a folder, with what the folder says about it. */
    public record Loaded(Adapter adapter, Map<String, String> metadata, String baseModelNameOrPath) {
    }

    /**
     * Writes {@code adapter} into {@code dir} (created if needed; existing files replaced).
     *
     * @param baseModelNameOrPath PEFT's {@code base_model_name_or_path}
     * @param metadata            our strings for the safetensors {@code __metadata__} (see META_* keys)
     */
    public static void save(Adapter adapter, Path dir, String baseModelNameOrPath, Map<String, String> metadata) {
        try {
            Files.createDirectories(dir);
            SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
            if (metadata != null) {
                writer.metadata(metadata);
            }
            for (Map.Entry<String, NDArray> entry : adapter.parameters().entrySet()) {
                NDArray p = entry.getValue();
                float[] values = p.getDataType() == DataType.FLOAT32
                        ? p.toFloatArray()
                        : p.toType(DataType.FLOAT32, false).toFloatArray();
                writer.putFloats(entry.getKey(), SafetensorsDType.F32, p.getShape().getShape(), values);
            }
            // write to temporary names, then move: a reader never sees half a folder's file
            Path weights = dir.resolve(WEIGHTS_FILE + ".tmp");
            writer.write(weights);
            Path config = dir.resolve(CONFIG_FILE + ".tmp");
            Files.writeString(config, JSON.writeValueAsString(peftConfig(adapter.config(), baseModelNameOrPath)));
            Files.move(weights, dir.resolve(WEIGHTS_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(config, dir.resolve(CONFIG_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write adapter '" + adapter.name() + "' to " + dir, e);
        }
    }

    /**
     * Reads an adapter folder written by {@link #save} or by PEFT's {@code save_pretrained}.
     *
     * @param name  the name the adapter will be registered under
     * @param model the model it must fit
     * @param dtype the model's dtype
     */
    public static Loaded load(Path dir, String name, LlamaConfig model, DataType dtype) {
        LoraConfig config = readConfig(dir);
        String base = readConfigJson(dir).path("base_model_name_or_path").asText(null);
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.exists(weights)) {
            throw new IllegalArgumentException(dir + " has no " + WEIGHTS_FILE + " (only safetensors adapters are supported)");
        }
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            Set<String> unused = new HashSet<>(file.names());
            Adapter adapter = Adapter.fromTensors(name, config, model, dtype, (tensor, shape) -> {
                if (!file.contains(tensor)) {
                    throw new IllegalArgumentException(weights + " has no tensor " + tensor + ", which its adapter_config.json"
                            + " (r " + config.rank() + ", targets " + config.targets() + ") implies");
                }
                if (!java.util.Arrays.equals(file.shape(tensor), shape)) {
                    throw new IllegalArgumentException(weights + ": tensor " + tensor + " has shape "
                            + java.util.Arrays.toString(file.shape(tensor)) + ", expected " + java.util.Arrays.toString(shape)
                            + " for this model and rank");
                }
                unused.remove(tensor);
                return file.readFloats(tensor);
            });
            if (!unused.isEmpty()) {
                adapter.close();
                throw new IllegalArgumentException(weights + " holds tensors its adapter_config.json does not explain, e.g. "
                        + new TreeSet<>(unused).first() + " (" + unused.size() + " in all)");
            }
            Map<String, String> metadata = new LinkedHashMap<>(file.metadata());
            metadata.remove("format");
            return new Loaded(adapter, metadata, base);
        }
    }

    /** The {@code __metadata__} strings of an adapter folder (without {@code format}). */
    public static Map<String, String> readMetadata(Path dir) {
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(WEIGHTS_FILE))) {
            Map<String, String> metadata = new LinkedHashMap<>(file.metadata());
            metadata.remove("format");
            return metadata;
        }
    }

    /** Parses {@code adapter_config.json}. */
    public static LoraConfig readConfig(Path dir) {
        JsonNode json = readConfigJson(dir);
        String where = dir.resolve(CONFIG_FILE).toString();
        if (!"LORA".equals(json.path("peft_type").asText())) {
            throw new IllegalArgumentException(where + ": peft_type is " + json.path("peft_type") + ", only LORA is supported");
        }
        rejectIfTrue(json, "use_dora", where);
        rejectIfTrue(json, "use_rslora", where);
        rejectIfTrue(json, "fan_in_fan_out", where);
        rejectIfNonEmpty(json, "rank_pattern", where);
        rejectIfNonEmpty(json, "alpha_pattern", where);
        rejectIfNonEmpty(json, "modules_to_save", where);
        String bias = json.path("bias").asText("none");
        if (!"none".equals(bias)) {
            throw new IllegalArgumentException(where + ": bias is '" + bias + "'; only 'none' is supported");
        }
        JsonNode modules = json.path("target_modules");
        if (!modules.isArray()) {
            throw new IllegalArgumentException(where + ": target_modules must be a list of module names (q_proj, ...), got " + modules);
        }
        Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        modules.forEach(m -> targets.add(LoraTarget.parse(m.asText())));
        Set<Integer> layers = new TreeSet<>();
        JsonNode layerNode = json.path("layers_to_transform");
        if (layerNode.isInt()) {
            layers.add(layerNode.asInt());
        } else if (layerNode.isArray()) {
            layerNode.forEach(l -> layers.add(l.asInt()));
        } else if (!layerNode.isNull() && !layerNode.isMissingNode()) {
            throw new IllegalArgumentException(where + ": layers_to_transform must be null, an int or a list, got " + layerNode);
        }
        if (!json.has("r") || !json.has("lora_alpha")) {
            throw new IllegalArgumentException(where + " needs r and lora_alpha");
        }
        return new LoraConfig(json.get("r").asInt(), (float) json.get("lora_alpha").asDouble(),
                (float) json.path("lora_dropout").asDouble(0.0), targets, new TreeSet<>(layers));
    }

    private static JsonNode readConfigJson(Path dir) {
        Path file = dir.resolve(CONFIG_FILE);
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PEFT config " + file, e);
        }
    }

    private static void rejectIfTrue(JsonNode json, String field, String where) {
        if (json.path(field).asBoolean(false)) {
            throw new IllegalArgumentException(where + ": " + field + " = true is not supported by this engine");
        }
    }

    private static void rejectIfNonEmpty(JsonNode json, String field, String where) {
        JsonNode node = json.path(field);
        if (!node.isMissingNode() && !node.isNull() && node.size() > 0) {
            throw new IllegalArgumentException(where + ": " + field + " " + node + " is not supported by this engine");
        }
    }

    /** PEFT's adapter_config.json for a LoRA adapter. */
    static ObjectNode peftConfig(LoraConfig config, String baseModelNameOrPath) {
        ObjectNode json = JSON.createObjectNode();
        json.putObject("alpha_pattern");
        json.put("base_model_name_or_path", baseModelNameOrPath);
        json.put("bias", "none");
        json.put("fan_in_fan_out", false);
        json.put("inference_mode", true);
        json.put("init_lora_weights", true);
        json.putNull("layers_pattern");
        if (config.layers().isEmpty()) {
            json.putNull("layers_to_transform");
        } else {
            ArrayNode layers = json.putArray("layers_to_transform");
            config.layers().forEach(layers::add);
        }
        if (config.alpha() == Math.rint(config.alpha())) {
            json.put("lora_alpha", (int) config.alpha());
        } else {
            json.put("lora_alpha", config.alpha());
        }
        json.put("lora_dropout", Double.parseDouble(Float.toString(config.dropout()))); // 0.05, not 0.0500000007
        json.putNull("modules_to_save");
        json.put("peft_type", "LORA");
        json.put("r", config.rank());
        json.putObject("rank_pattern");
        json.putNull("revision");
        ArrayNode modules = json.putArray("target_modules");
        config.targets().forEach(t -> modules.add(t.moduleName()));
        json.put("task_type", "CAUSAL_LM");
        json.put("use_dora", false);
        json.put("use_rslora", false);
        return json;
    }
}
