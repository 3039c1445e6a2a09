package io.latentqa.core.lora;

import io.latentqa.core.model.LlamaConfig;

import java.util.Arrays;

/**
 * The linear layers LoRA can adapt, named as PEFT's {@code target_modules} names them in a Hugging
 * Face Llama ({@code q_proj} ... {@code down_proj}, {@code lm_head}).
 */
public enum LoraTarget {
    Q_PROJ("q_proj", "self_attn"),
    K_PROJ("k_proj", "self_attn"),
    V_PROJ("v_proj", "self_attn"),
    O_PROJ("o_proj", "self_attn"),
    GATE_PROJ("gate_proj", "mlp"),
    UP_PROJ("up_proj", "mlp"),
    DOWN_PROJ("down_proj", "mlp"),
    /** The output head (the token embedding when tied); not inside a block. */
    LM_HEAD("lm_head", null);

    private final String moduleName;
    private final String parent;

    LoraTarget(String moduleName, String parent) {
        this.moduleName = moduleName;
        this.parent = parent;
    }

    /** PEFT's name, e.g. {@code q_proj}. */
    public String moduleName() {
        return moduleName;
    }

    /** True for the projections inside a block, false for {@link #LM_HEAD}. */
    public boolean inBlock() {
        return parent != null;
    }

    /** Input width of the adapted layer. */
    public int inFeatures(LlamaConfig c) {
        return switch (this) {
            case O_PROJ -> c.nHeads() * c.headSize();
            case DOWN_PROJ -> c.hiddenDim();
            default -> c.dim();
        };
    }

    /** Output width of the adapted layer. */
    public int outFeatures(LlamaConfig c) {
        return switch (this) {
            case Q_PROJ -> c.nHeads() * c.headSize();
            case K_PROJ, V_PROJ -> c.kvDim();
            case O_PROJ, DOWN_PROJ -> c.dim();
            case GATE_PROJ, UP_PROJ -> c.hiddenDim();
            case LM_HEAD -> c.vocabSize();
        };
    }

    /**
     * The PEFT module path, e.g. {@code base_model.model.model.layers.3.self_attn.q_proj} or
     * {@code base_model.model.lm_head}; tensors are {@code <path>.lora_A.weight} and {@code lora_B}.
     */
    public String peftPath(int layer) {
        return inBlock()
                ? "base_model.model.model.layers." + layer + "." + parent + "." + moduleName
                : "base_model.model." + moduleName;
    }

    /** The target of a PEFT module name ({@code q_proj}); fails naming the supported ones. */
    public static LoraTarget parse(String moduleName) {
        for (LoraTarget target : values()) {
            if (target.moduleName.equals(moduleName)) {
                return target;
            }
        }
        throw new IllegalArgumentException("unknown LoRA target module '" + moduleName + "'; supported: "
                + Arrays.stream(values()).map(LoraTarget::moduleName).toList());
    }
}
