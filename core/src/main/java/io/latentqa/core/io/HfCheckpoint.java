package io.latentqa.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.model.LlamaConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face model folder: {@code config.json} plus {@code model.safetensors}, or shards
 * {@code model-0000x-of-0000y.safetensors} listed in {@code model.safetensors.index.json}. Tensors
 * are F32, F16 or BF16, read by {@link SafetensorsFile} and converted to float32.
 *
 * <p>Supported: {@code LlamaForCausalLM}, {@code MistralForCausalLM} and {@code Qwen2ForCausalLM}
 * checkpoints without biases, SiLU MLP, plain RoPE ({@code rope_scaling} null, or the transformers 5
 * {@code rope_parameters} with {@code rope_type} default). Anything else fails at open with the
 * feature named. A sliding attention window (Mistral) caps {@link LlamaConfig#contextLength()}, since
 * full attention equals it for sequences no longer than the window.
 */
public final class HfCheckpoint implements WeightSource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ARCHITECTURES = List.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM");

    private final Path folder;
    private final LlamaConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileOf; // tensor name -> the file holding it
    private final List<Path> weightFiles;

    private HfCheckpoint(Path folder, LlamaConfig config, List<SafetensorsFile> files, Map<String, SafetensorsFile> fileOf,
                         List<Path> weightFiles) {
        this.folder = folder;
        this.config = config;
        this.files = files;
        this.fileOf = fileOf;
        this.weightFiles = weightFiles;
    }

    /** Opens a model folder; close the checkpoint to release its files. */
    public static HfCheckpoint open(Path folder) {
        LlamaConfig config = readConfig(folder.resolve("config.json"));
        List<Path> weightFiles = weightFiles(folder);
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
        try {
            for (Path path : weightFiles) {
                SafetensorsFile file = SafetensorsFile.open(path);
                files.add(file);
                for (String name : file.names()) {
                    if (name.endsWith("rotary_emb.inv_freq")) {
                        continue; // a buffer old checkpoints saved; recomputed from rope_theta
                    }
                    if (name.endsWith(".bias")) {
                        throw new IllegalArgumentException(path + " has bias tensor '" + name
                                + "'; this engine runs Llama-style layers without biases (Qwen2 checkpoints have q/k/v biases)");
                    }
                    if (fileOf.put(name, file) != null) {
                        throw new IllegalArgumentException("tensor '" + name + "' appears in two weight files of " + folder);
                    }
                }
            }
            if (!fileOf.containsKey(TensorNames.EMBED)) {
                throw new IllegalArgumentException(folder + " has no tensor " + TensorNames.EMBED
                        + "; is it a Llama-family causal LM saved by transformers?");
            }
            return new HfCheckpoint(folder, config, Collections.unmodifiableList(files), Collections.unmodifiableMap(fileOf),
                    List.copyOf(weightFiles));
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** The weight files: the shards named in model.safetensors.index.json, or model.safetensors. */
    static List<Path> weightFiles(Path folder) {
        Path index = folder.resolve("model.safetensors.index.json");
        if (Files.exists(index)) {
            JsonNode map = readJson(index).get("weight_map");
            if (map == null || !map.isObject()) {
                throw new IllegalArgumentException(index + " has no weight_map object");
            }
            List<Path> shards = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : map.properties()) {
                Path shard = folder.resolve(e.getValue().asText());
                if (!shards.contains(shard)) {
                    if (!Files.exists(shard)) {
                        throw new IllegalArgumentException(index + " names shard " + shard.getFileName() + ", which is missing");
                    }
                    shards.add(shard);
                }
            }
            Collections.sort(shards);
            return shards;
        }
        Path single = folder.resolve("model.safetensors");
        if (!Files.exists(single)) {
            throw new IllegalArgumentException(folder + " has neither model.safetensors nor model.safetensors.index.json"
                    + " (PyTorch .bin checkpoints are not supported: convert them to safetensors)");
        }
        return List.of(single);
    }

    /** Parses and checks a transformers {@code config.json}. */
    public static LlamaConfig readConfig(Path configJson) {
        JsonNode c = readJson(configJson);
        String where = configJson.toString();
        JsonNode architectures = c.path("architectures");
        String architecture = architectures.isArray() && !architectures.isEmpty() ? architectures.get(0).asText() : "(none)";
        if (!ARCHITECTURES.contains(architecture)) {
            throw new IllegalArgumentException(where + ": architecture " + architecture + " is not supported; supported: " + ARCHITECTURES);
        }
        if (c.path("attention_bias").asBoolean(false) || c.path("mlp_bias").asBoolean(false)) {
            throw new IllegalArgumentException(where + ": attention_bias / mlp_bias are not supported (Llama layers have no biases)");
        }
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException(where + ": hidden_act " + act + " is not supported (SwiGLU with silu only)");
        }
        JsonNode scaling = c.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw new IllegalArgumentException(where + ": rope_scaling " + scaling + " is not supported (plain RoPE only)");
        }
        float ropeTheta = (float) c.path("rope_theta").asDouble(10000);
        JsonNode ropeParameters = c.get("rope_parameters"); // transformers 5
        if (ropeParameters != null && ropeParameters.isObject()) {
            String type = ropeParameters.path("rope_type").asText("default");
            if (!type.equals("default")) {
                throw new IllegalArgumentException(where + ": rope_type " + type + " is not supported (plain RoPE only)");
            }
            ropeTheta = (float) ropeParameters.path("rope_theta").asDouble(ropeTheta);
        }
        if (c.path("use_sliding_window").asBoolean(false)) {
            throw new IllegalArgumentException(where + ": use_sliding_window = true is not supported");
        }
        int dim = required(c, "hidden_size", where);
        int heads = required(c, "num_attention_heads", where);
        if (c.hasNonNull("head_dim") && c.get("head_dim").asInt() != dim / heads) {
            throw new IllegalArgumentException(where + ": head_dim " + c.get("head_dim").asInt() + " differs from hidden_size / "
                    + "num_attention_heads = " + dim / heads + "; not supported");
        }
        int context = required(c, "max_position_embeddings", where);
        if (c.hasNonNull("sliding_window") && !c.path("use_sliding_window").isBoolean()) {
            context = Math.min(context, c.get("sliding_window").asInt()); // Mistral: beyond the window attention differs
        }
        return new LlamaConfig(
                dim,
                required(c, "intermediate_size", where),
                required(c, "num_hidden_layers", where),
                heads,
                c.path("num_key_value_heads").asInt(heads),
                required(c, "vocab_size", where),
                context,
                (float) c.path("rms_norm_eps").asDouble(1e-6),
                ropeTheta,
                LlamaConfig.RopeStyle.HALF_SPLIT,
                c.path("tie_word_embeddings").asBoolean(false));
    }

    private static int required(JsonNode c, String key, String where) {
        JsonNode value = c.get(key);
        if (value == null || !value.canConvertToInt()) {
            throw new IllegalArgumentException(where + " has no integer '" + key + "'");
        }
        return value.asInt();
    }

    static JsonNode readJson(Path path) {
        try {
            return JSON.readTree(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + path, e);
        }
    }

    /** The model folder. */
    public Path folder() {
        return folder;
    }

    /** The safetensors files holding the weights, in name order. */
    public List<Path> weightFiles() {
        return weightFiles;
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public Set<String> names() {
        return fileOf.keySet();
    }

    @Override
    public long[] shape(String name) {
        return file(name).shape(name);
    }

    @Override
    public float[] read(String name) {
        return file(name).readFloats(name);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile file = fileOf.get(name);
        if (file == null) {
            throw new IllegalArgumentException(folder + " has no tensor '" + name + "'");
        }
        return file;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "HfCheckpoint[" + folder + ", " + config + "]";
    }
}
