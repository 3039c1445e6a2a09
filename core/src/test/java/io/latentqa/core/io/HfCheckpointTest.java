package io.latentqa.core.io;

import io.latentqa.core.SharedFiles;
import io.latentqa.core.model.LlamaConfig;
import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.GgufTokenizer;
import io.latentqa.core.tokenizer.SmolLm2Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfCheckpointTest {

    /**
     * The SmolLM2 GGUF converted to a Hugging Face folder (F32 safetensors + config.json + tokenizer
     * from the GGUF metadata) reopens with the same config and every tensor equal bit for bit, and
     * the folder's tokenizer and chat template reproduce the reference prompts.
     */
    @Test
    void smolLm2GgufConvertedToAnHfFolderReopensBitForBit(@TempDir Path dir) {
        Path folder = dir.resolve("smollm2-hf");
        try (GgufCheckpoint gguf = GgufCheckpoint.open(GgufFileTest.smolLm2Gguf())) {
            HfCheckpointWriter.write(gguf, folder);
            GgufFile file = gguf.gguf();
            HfCheckpointWriter.writeTokenizer(GgufTokenizer.tokenizerJson(file), GgufTokenizer.specialTokens(file),
                    ChatTemplate.fromGguf(file), folder);
            try (HfCheckpoint hf = HfCheckpoint.open(folder)) {
                assertEquals(gguf.config(), hf.config());
                assertEquals(gguf.names(), hf.names());
                for (String name : gguf.names()) {
                    assertArrayEquals(gguf.shape(name), hf.shape(name), name);
                    assertArrayEquals(gguf.read(name), hf.read(name), name); // float equality per element: bit for bit but NaN
                }
            }
        }
        try (ModelFiles model = ModelLoader.load(folder)) {
            assertEquals("smollm2-hf", model.modelId());
            assertEquals(ModelLoader.sha256(java.util.List.of(folder.resolve("model.safetensors"))), model.digest());
            for (SmolLm2Reference.Chat chat : SmolLm2Reference.chats()) {
                String rendered = model.chatTemplate().render(chat.messages(), true);
                assertEquals(chat.rendered(), rendered);
                assertArrayEquals(chat.ids(), model.tokenizer().encode(rendered));
            }
            assertEquals(java.util.Set.of(2), model.tokenizer().stopTokens());
        }
    }

    /** A tiny sharded checkpoint written by hand: BF16 in one shard, F16 in the other, an index. */
    @Test
    void shardedBf16AndF16CheckpointOpens(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "hidden_size": 8,
                 "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
                 "vocab_size": 10, "max_position_embeddings": 4096, "sliding_window": 512, "rms_norm_eps": 1e-05,
                 "rope_theta": 1000000.0, "tie_word_embeddings": false, "hidden_act": "silu", "torch_dtype": "bfloat16"}
                """);
        Random random = new Random(3);
        String[] names = {TensorNames.EMBED, TensorNames.LayerTensor.INPUT_NORM.hf(0), TensorNames.LayerTensor.Q_PROJ.hf(0),
                TensorNames.LayerTensor.K_PROJ.hf(0), TensorNames.LayerTensor.V_PROJ.hf(0), TensorNames.LayerTensor.O_PROJ.hf(0),
                TensorNames.LayerTensor.POST_ATTENTION_NORM.hf(0), TensorNames.LayerTensor.GATE_PROJ.hf(0),
                TensorNames.LayerTensor.UP_PROJ.hf(0), TensorNames.LayerTensor.DOWN_PROJ.hf(0), TensorNames.NORM, TensorNames.LM_HEAD};
        long[][] shapes = {{10, 8}, {8}, {8, 8}, {4, 8}, {4, 8}, {8, 8}, {8}, {16, 8}, {16, 8}, {8, 16}, {8}, {10, 8}};
        float[][] values = new float[names.length][];
        SafetensorsWriter shard1 = new SafetensorsWriter().metadata("format", "pt");
        SafetensorsWriter shard2 = new SafetensorsWriter().metadata("format", "pt");
        StringBuilder index = new StringBuilder("{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
        for (int t = 0; t < names.length; t++) {
            int n = (int) java.util.Arrays.stream(shapes[t]).reduce(1, (a, b) -> a * b);
            values[t] = new float[n];
            for (int i = 0; i < n; i++) {
                values[t][i] = (float) random.nextGaussian();
            }
            boolean first = t < 6;
            (first ? shard1 : shard2).putFloats(names[t], first ? SafetensorsDType.BF16 : SafetensorsDType.F16, shapes[t], values[t]);
            index.append(t > 0 ? ", " : "").append('"').append(names[t]).append("\": \"model-0000")
                    .append(first ? 1 : 2).append("-of-00002.safetensors\"");
        }
        shard1.write(dir.resolve("model-00001-of-00002.safetensors"));
        shard2.write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.append("}}").toString());

        try (HfCheckpoint hf = HfCheckpoint.open(dir)) {
            assertEquals(new LlamaConfig(8, 16, 1, 2, 1, 10, 512, 1e-5f, 1e6f, LlamaConfig.RopeStyle.HALF_SPLIT, false),
                    hf.config(), "the sliding window caps the context");
            assertEquals(2, hf.weightFiles().size());
            assertEquals(names.length, hf.names().size());
            for (int t = 0; t < names.length; t++) {
                assertArrayEquals(shapes[t], hf.shape(names[t]));
                float[] read = hf.read(names[t]);
                for (int i = 0; i < read.length; i++) {
                    float expected = t < 6 ? Float16.bf16ToFloat(Float16.floatToBf16(values[t][i]))
                            : Float16.halfToFloat(Float16.floatToHalf(values[t][i]));
                    assertEquals(expected, read[i], names[t] + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void unsupportedFeaturesFailNamingThem(@TempDir Path dir) throws IOException {
        String base = "\"hidden_size\": 8, \"intermediate_size\": 16, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
                + " \"vocab_size\": 10, \"max_position_embeddings\": 64";
        assertConfigError(dir, "{\"architectures\": [\"GPT2LMHeadModel\"], " + base + "}", "GPT2LMHeadModel");
        assertConfigError(dir, "{\"architectures\": [\"LlamaForCausalLM\"], \"rope_scaling\": {\"rope_type\": \"llama3\","
                + " \"factor\": 8.0}, " + base + "}", "rope_scaling");
        assertConfigError(dir, "{\"architectures\": [\"LlamaForCausalLM\"], \"attention_bias\": true, " + base + "}", "attention_bias");
        assertConfigError(dir, "{\"architectures\": [\"LlamaForCausalLM\"], \"rope_parameters\": {\"rope_type\": \"yarn\"}, "
                + base + "}", "yarn");
        assertConfigError(dir, "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 8}", "has no integer");
        // transformers 5 writes rope_theta inside rope_parameters
        Path config = dir.resolve("v5.json");
        Files.writeString(config, "{\"architectures\": [\"LlamaForCausalLM\"], \"rope_parameters\": {\"rope_type\": \"default\","
                + " \"rope_theta\": 100000.0}, \"tie_word_embeddings\": true, " + base + "}");
        LlamaConfig c = HfCheckpoint.readConfig(config);
        assertEquals(100000f, c.ropeTheta());
        assertEquals(1e-6f, c.rmsNormEps());
        assertTrue(c.tiedEmbeddings());
        // a bias tensor in the weights
        Path folder = dir.resolve("biased");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), "{\"architectures\": [\"Qwen2ForCausalLM\"], " + base + "}");
        new SafetensorsWriter().putFloats("model.layers.0.self_attn.q_proj.bias", SafetensorsDType.F32, new long[] {8}, new float[8])
                .write(folder.resolve("model.safetensors"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.open(folder));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
        Files.delete(folder.resolve("model.safetensors"));
        e = assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.open(folder));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    private static void assertConfigError(Path dir, String json, String part) throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.readConfig(config));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void sharedFolderIsThere() {
        assertNotNull(SharedFiles.smollm2Dir());
    }
}
