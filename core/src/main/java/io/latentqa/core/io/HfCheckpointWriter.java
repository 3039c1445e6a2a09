package io.latentqa.core.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentqa.core.model.LlamaConfig;
import io.latentqa.core.tokenizer.ChatTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes any {@link WeightSource} as a Hugging Face model folder ({@code config.json} for
 * {@code LlamaForCausalLM} and a float32 {@code model.safetensors}), optionally with its tokenizer
 * ({@code tokenizer.json}, {@code tokenizer_config.json} holding the special tokens and the chat
 * template). Used to show the same weights read from two formats give the same results, and to
 * hand a GGUF model to Python tools. Tensors are streamed one at a time.
 */
public final class HfCheckpointWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfCheckpointWriter() {
    }

    /** Writes config.json and model.safetensors (F32) into {@code folder}, created if needed. */
    public static void write(WeightSource weights, Path folder) {
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("config.json"), JSON.writeValueAsString(configJson(weights.config())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + folder, e);
        }
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (String name : weights.names()) {
            writer.putFloats(name, SafetensorsDType.F32, weights.shape(name), () -> weights.read(name));
        }
        writer.write(folder.resolve("model.safetensors"));
    }

    /**
     * Writes tokenizer.json and a tokenizer_config.json with the special tokens and, when given, the
     * chat template.
     */
    public static void writeTokenizer(byte[] tokenizerJson, Map<String, String> specialTokens, ChatTemplate chatTemplate,
                                      Path folder) {
        ObjectNode config = JSON.createObjectNode();
        specialTokens.forEach(config::put);
        if (chatTemplate != null) {
            config.put("chat_template", chatTemplate.source());
        }
        try {
            Files.createDirectories(folder);
            Files.write(folder.resolve("tokenizer.json"), tokenizerJson);
            Files.writeString(folder.resolve("tokenizer_config.json"), JSON.writeValueAsString(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tokenizer into " + folder, e);
        }
    }

    /** The transformers config.json of a Llama with this blueprint. */
    static ObjectNode configJson(LlamaConfig c) {
        if (c.ropeStyle() != LlamaConfig.RopeStyle.HALF_SPLIT) {
            throw new IllegalArgumentException("a Hugging Face checkpoint holds half-split q/k rows; this source reports "
                    + c.ropeStyle() + ": open it with un-permuted weights");
        }
        ObjectNode json = JSON.createObjectNode();
        json.putArray("architectures").add("LlamaForCausalLM");
        json.put("model_type", "llama");
        json.put("hidden_size", c.dim());
        json.put("intermediate_size", c.hiddenDim());
        json.put("num_hidden_layers", c.nLayers());
        json.put("num_attention_heads", c.nHeads());
        json.put("num_key_value_heads", c.nKvHeads());
        json.put("head_dim", c.headSize());
        json.put("vocab_size", c.vocabSize());
        json.put("max_position_embeddings", c.contextLength());
        json.put("rms_norm_eps", c.rmsNormEps());
        json.put("rope_theta", c.ropeTheta());
        json.putNull("rope_scaling");
        json.put("hidden_act", "silu");
        json.put("attention_bias", false);
        json.put("mlp_bias", false);
        json.put("tie_word_embeddings", c.tiedEmbeddings());
        json.put("torch_dtype", "float32");
        return json;
    }
}
