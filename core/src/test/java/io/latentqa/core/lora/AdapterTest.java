package io.latentqa.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.Stories260k;
import io.latentqa.core.model.TokenBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LoRA adapters on stories260K: identity at init, named adapters, layer subsets, PEFT files. */
class AdapterTest {

    private static final LoraConfig ALL = LoraConfig.of(4, 8f, 0f, LoraConfig.ALL_LINEAR_AND_HEAD);
    private static Llama model;

    @BeforeAll
    static void load() {
        model = Stories260k.load(DataType.FLOAT32);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void freshAdapterWithZeroBEqualsTheBaseModelExactly() {
        model.addAdapter(Adapter.initialize("fresh", ALL, model.config(), DataType.FLOAT32, 1));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] base = logits(null, m);
            float[] adapted = logits("fresh", m);
            assertArrayEquals(base, adapted);
        } finally {
            model.removeAdapter("fresh").close();
        }
    }

    @Test
    void initializationIsPeftsKaimingUniformAndZerosAndSeeded() {
        try (Adapter a = Adapter.initialize("a", ALL, model.config(), DataType.FLOAT32, 42);
             Adapter same = Adapter.initialize("b", ALL, model.config(), DataType.FLOAT32, 42);
             Adapter other = Adapter.initialize("c", ALL, model.config(), DataType.FLOAT32, 43)) {
            float[] down = a.lora(0, LoraTarget.DOWN_PROJ).a().toFloatArray(); // (4, 172)
            float bound = (float) (1 / Math.sqrt(172));
            float max = 0;
            for (float v : down) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max <= bound && max > 0.9f * bound, "uniform in +-1/sqrt(in): max " + max + " bound " + bound);
            for (float v : a.lora(3, LoraTarget.Q_PROJ).b().toFloatArray()) {
                assertEquals(0f, v);
            }
            assertArrayEquals(down, same.lora(0, LoraTarget.DOWN_PROJ).a().toFloatArray());
            assertFalse(java.util.Arrays.equals(down, other.lora(0, LoraTarget.DOWN_PROJ).a().toFloatArray()));
            // 5 blocks x (q 64x64, k 64x32, v 64x32, o 64x64, gate/up 64x172, down 172x64) at r = 4, plus lm_head 64x512
            long perBlock = 4L * ((64 + 64) + (64 + 32) * 2 + (64 + 64) + (64 + 172) * 3);
            assertEquals(5 * perBlock + 4L * (64 + 512), a.parameterCount());
        }
    }

    @Test
    void namedAdaptersShareOneBaseAndNoneIsTheBase() {
        model.addAdapter(randomAdapter("one", ALL, 1));
        model.addAdapter(randomAdapter("two", ALL, 2));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] base = logits(null, m);
            float[] one = logits("one", m);
            float[] two = logits("two", m);
            assertFalse(java.util.Arrays.equals(base, one));
            assertFalse(java.util.Arrays.equals(one, two));
            assertArrayEquals(base, logits(null, m));
            assertArrayEquals(one, logits("one", m));
            assertEquals(Set.of("one", "two"), model.adapterNames());
            assertThrows(IllegalArgumentException.class, () -> model.addAdapter(randomAdapter("one", ALL, 3)));
            assertThrows(IllegalArgumentException.class, () -> logits("three", m));
        } finally {
            model.removeAdapter("one").close();
            model.removeAdapter("two").close();
        }
        assertNull(model.adapter("one"));
    }

    @Test
    void layerSubsetAdaptsOnlyThoseBlocks() {
        LoraConfig subset = LoraConfig.of(2, 4f, 0f, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.V_PROJ)).withLayers(List.of(1, 3));
        try (Adapter adapter = Adapter.initialize("subset", subset, model.config(), DataType.FLOAT32, 5)) {
            assertEquals(List.of(
                    "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight",
                    "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight",
                    "base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.3.self_attn.q_proj.lora_B.weight",
                    "base_model.model.model.layers.3.self_attn.v_proj.lora_A.weight",
                    "base_model.model.model.layers.3.self_attn.v_proj.lora_B.weight"), List.copyOf(adapter.parameters().keySet()));
            assertNull(adapter.lora(0, LoraTarget.Q_PROJ));
            assertNull(adapter.lora(1, LoraTarget.K_PROJ));
        }
        // PEFT would silently skip lm_head with layers_to_transform: refuse the combination
        assertThrows(IllegalArgumentException.class, () -> ALL.withLayers(List.of(1)));
    }

    @Test
    void saveThenLoadIsBitExactWithConfigAndMetadata(@TempDir Path dir) throws Exception {
        LoraConfig config = new LoraConfig(3, 6f, 0.05f, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.DOWN_PROJ, LoraTarget.LM_HEAD),
                new java.util.TreeSet<>());
        Map<String, String> metadata = Map.of(AdapterFile.META_BASE_MODEL_ID, "stories260K",
                AdapterFile.META_BASE_MODEL_DIGEST, "sha256:b0a507e7", AdapterFile.META_READ_LAYERS, "3",
                AdapterFile.META_WRITE_LAYERS, "0", AdapterFile.META_TRAINING_RUN_ID, "run-7");
        try (Adapter original = randomAdapter("original", config, 11)) {
            AdapterFile.save(original, dir, "karpathy/tinyllamas/stories260K", metadata);
            AdapterFile.Loaded loaded = AdapterFile.load(dir, "loaded", model.config(), DataType.FLOAT32);
            try (Adapter copy = loaded.adapter()) {
                assertEquals(config, copy.config());
                assertEquals(metadata, loaded.metadata());
                assertEquals("karpathy/tinyllamas/stories260K", loaded.baseModelNameOrPath());
                assertEquals(original.parameters().keySet(), copy.parameters().keySet());
                for (String name : original.parameters().keySet()) {
                    assertArrayEquals(original.parameters().get(name).toFloatArray(), copy.parameters().get(name).toFloatArray(), name);
                }
            }
            JsonNode json = new ObjectMapper().readTree(dir.resolve(AdapterFile.CONFIG_FILE).toFile());
            assertEquals("LORA", json.get("peft_type").asText());
            assertEquals(3, json.get("r").asInt());
            assertEquals(6, json.get("lora_alpha").asInt());
            assertEquals(0.05, json.get("lora_dropout").asDouble());
            assertEquals("none", json.get("bias").asText());
            assertTrue(json.get("layers_to_transform").isNull());
            assertEquals(Set.of("q_proj", "down_proj", "lm_head"),
                    Set.copyOf(new ObjectMapper().convertValue(json.get("target_modules"), List.class)));
        }
    }

    @Test
    void readsTheConfigPeftWrote() {
        LoraConfig config = AdapterFile.readConfig(SharedFiles.smollm2Dir().resolve("reference/lora"));
        assertEquals(4, config.rank());
        assertEquals(8f, config.alpha());
        assertEquals(0f, config.dropout());
        assertEquals(EnumSet.range(LoraTarget.Q_PROJ, LoraTarget.DOWN_PROJ), config.targets());
        assertTrue(config.layers().isEmpty());
    }

    @Test
    void dropoutActsOnlyInTrainingPasses() {
        LoraConfig withDropout = LoraConfig.of(4, 8f, 0.5f, LoraConfig.ALL_LINEAR_AND_HEAD);
        model.addAdapter(randomAdapter("dropout", withDropout, 9));
        model.addAdapter(randomAdapter("plain", ALL, 9));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] eval = logits("dropout", m, false);
            float[] train = logits("dropout", m, true);
            assertArrayEquals(logits("plain", m), eval);
            assertFalse(java.util.Arrays.equals(eval, train));
        } finally {
            model.removeAdapter("dropout").close();
            model.removeAdapter("plain").close();
        }
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Adapter adapter = randomAdapter("grad", ALL, 4);
        model.addAdapter(adapter);
        adapter.setTrainable(true);
        NDArray b = adapter.lora(2, LoraTarget.UP_PROJ).b();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] once = backwardOnce(m, b);
            float[] twice = backwardOnce(m, b);
            for (int i = 0; i < once.length; i++) {
                assertEquals(2 * once[i], twice[i], 1e-5f * Math.abs(once[i]) + 1e-9f);
            }
            adapter.zeroGradients();
            for (float g : b.getGradient().toFloatArray()) {
                assertEquals(0f, g);
            }
        } finally {
            adapter.setTrainable(false);
            model.removeAdapter("grad").close();
        }
    }

    private static float[] backwardOnce(NDManager m, NDArray parameter) {
        try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(ForwardRequest.builder().setTokens(TokenBatch.of(Stories260k.story(8)))
                    .optLogits(RowPositions.last()).optAdapter("grad").build(), m).logits();
            collector.backward(logits.square().mean());
        }
        return parameter.getGradient().toFloatArray();
    }

    @Test
    void aFileWhoseShapesDoNotFitIsRejected(@TempDir Path dir) throws Exception {
        LoraConfig config = LoraConfig.of(2, 4f, 0f, EnumSet.of(LoraTarget.Q_PROJ));
        try (Adapter adapter = randomAdapter("shapes", config, 1)) {
            AdapterFile.save(adapter, dir, "stories260K", Map.of());
        }
        // rewrite layer 0's A transposed: (64, 2) instead of (2, 64)
        io.latentqa.core.io.SafetensorsWriter writer = new io.latentqa.core.io.SafetensorsWriter();
        try (io.latentqa.core.io.SafetensorsFile file = io.latentqa.core.io.SafetensorsFile.open(dir.resolve(AdapterFile.WEIGHTS_FILE))) {
            for (String name : file.names()) {
                long[] shape = file.shape(name);
                if (name.contains("layers.0.") && name.contains("lora_A")) {
                    shape = new long[] {shape[1], shape[0]};
                }
                writer.putFloats(name, io.latentqa.core.io.SafetensorsDType.F32, shape, file.readFloats(name));
            }
        }
        writer.write(dir.resolve(AdapterFile.WEIGHTS_FILE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterFile.load(dir, "bad", model.config(), DataType.FLOAT32));
        assertTrue(e.getMessage().contains("layers.0.self_attn.q_proj.lora_A.weight"), e.getMessage());
    }

    /** An adapter whose A and B are both random (B = N(0, 0.02)), so that it changes the output. */
    static Adapter randomAdapter(String name, LoraConfig config, long seed) {
        Random random = new Random(seed);
        Map<String, float[]> values = new HashMap<>();
        return Adapter.fromTensors(name, config, model.config(), DataType.FLOAT32, (tensor, shape) -> values.computeIfAbsent(tensor, t -> {
            LoraTarget target = targetOf(t);
            int n = config.rank() * (t.contains("lora_A") ? target.inFeatures(model.config()) : target.outFeatures(model.config()));
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (random.nextGaussian() * (t.contains("lora_A") ? 0.1 : 0.02));
            }
            return v;
        }));
    }

    private static LoraTarget targetOf(String tensor) {
        for (LoraTarget target : LoraTarget.values()) {
            if (tensor.contains("." + target.moduleName() + ".")) {
                return target;
            }
        }
        throw new IllegalArgumentException(tensor);
    }

    private static float[] logits(String adapter, NDManager m) {
        return logits(adapter, m, false);
    }

    private static float[] logits(String adapter, NDManager m, boolean training) {
        ForwardRequest request = ForwardRequest.builder().setTokens(TokenBatch.of(Stories260k.story(8), Stories260k.story(5)))
                .optLogits(RowPositions.all()).optAdapter(adapter).optTraining(training).build();
        NDArray logits = model.forward(request, m).logits();
        return logits.toFloatArray();
    }
}
