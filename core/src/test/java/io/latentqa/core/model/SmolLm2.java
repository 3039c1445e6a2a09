package io.latentqa.core.model;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.io.SafetensorsFile;

import java.nio.file.Path;
import java.util.List;

/**
 * Test helper: SmolLM2-135M-Instruct from the shared GGUF, loaded once per test JVM in float32
 * (about 540 MB; every test class of the fork shares it), and its reference tensors.
 */
public final class SmolLm2 {

    /** The four reference chat prompts of reference.safetensors ({@code chat.NAME.*}). */
    public static final List<String> CHATS = List.of("pirate_system", "default_system", "multi_turn", "latentqa_system");
    /** Blocks whose output residual the reference holds. */
    public static final List<Integer> REFERENCE_LAYERS = List.of(0, 7, 15, 22, 29);
    /** {@code <|im_end|>}: end of turn, the stop token of the reference's greedy runs. */
    public static final int IM_END = 2;

    private static Llama model;

    private SmolLm2() {
    }

    public static Path gguf() {
        return SharedFiles.smollm2Dir().resolve("SmolLM2-135M-Instruct.Q4_1.gguf");
    }

    /** The shared float32 model (do not close it). */
    public static synchronized Llama model() {
        if (model == null) {
            try (ModelFiles files = ModelLoader.load(gguf())) {
                model = Llama.load(files.weights(), DataType.FLOAT32);
            }
        }
        return model;
    }

    /** reference/reference.safetensors (the caller closes it). */
    public static SafetensorsFile reference() {
        return SafetensorsFile.open(SharedFiles.smollm2Dir().resolve("reference/reference.safetensors"));
    }

    /** reference/lora_reference.safetensors (the caller closes it). */
    public static SafetensorsFile loraReference() {
        return SafetensorsFile.open(SharedFiles.smollm2Dir().resolve("reference/lora_reference.safetensors"));
    }

    /** reference/lora: the PEFT adapter folder. */
    public static Path peftAdapter() {
        return SharedFiles.smollm2Dir().resolve("reference/lora");
    }
}
