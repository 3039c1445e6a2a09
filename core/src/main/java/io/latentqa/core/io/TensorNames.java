package io.latentqa.core.io;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table of tensor names: Hugging Face (the engine's names, see {@link WeightSource}),
 * GGUF (llama.cpp) and llama2.c ({@code run.c}'s weight fields), for a Llama-family model.
 *
 * <pre>
 *   Hugging Face                                   GGUF                     llama2.c
 *   model.embed_tokens.weight                      token_embd.weight        token_embedding_table
 *   model.layers.N.input_layernorm.weight          blk.N.attn_norm.weight   rms_att_weight
 *   model.layers.N.self_attn.q_proj.weight         blk.N.attn_q.weight      wq
 *   model.layers.N.self_attn.k_proj.weight         blk.N.attn_k.weight      wk
 *   model.layers.N.self_attn.v_proj.weight         blk.N.attn_v.weight      wv
 *   model.layers.N.self_attn.o_proj.weight         blk.N.attn_output.weight wo
 *   model.layers.N.post_attention_layernorm.weight blk.N.ffn_norm.weight    rms_ffn_weight
 *   model.layers.N.mlp.gate_proj.weight            blk.N.ffn_gate.weight    w1
 *   model.layers.N.mlp.down_proj.weight            blk.N.ffn_down.weight    w2
 *   model.layers.N.mlp.up_proj.weight              blk.N.ffn_up.weight      w3
 *   model.norm.weight                              output_norm.weight       rms_final_weight
 *   lm_head.weight                                 output.weight            wcls
 * </pre>
 */
public final class TensorNames {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    /** The tensors of one transformer block. */
    public enum LayerTensor {
        INPUT_NORM("input_layernorm", "attn_norm", "rms_att_weight"),
        Q_PROJ("self_attn.q_proj", "attn_q", "wq"),
        K_PROJ("self_attn.k_proj", "attn_k", "wk"),
        V_PROJ("self_attn.v_proj", "attn_v", "wv"),
        O_PROJ("self_attn.o_proj", "attn_output", "wo"),
        POST_ATTENTION_NORM("post_attention_layernorm", "ffn_norm", "rms_ffn_weight"),
        GATE_PROJ("mlp.gate_proj", "ffn_gate", "w1"),
        DOWN_PROJ("mlp.down_proj", "ffn_down", "w2"),
        UP_PROJ("mlp.up_proj", "ffn_up", "w3");

        private final String hf;
        private final String gguf;
        private final String llama2c;

        LayerTensor(String hf, String gguf, String llama2c) {
            this.hf = hf;
            this.gguf = gguf;
            this.llama2c = llama2c;
        }

        /** e.g. {@code model.layers.3.self_attn.q_proj.weight} */
        public String hf(int layer) {
            return "model.layers." + layer + "." + hf + ".weight";
        }

        /** e.g. {@code blk.3.attn_q.weight} */
        public String gguf(int layer) {
            return "blk." + layer + "." + gguf + ".weight";
        }

        /** The llama2.c weight field ({@code wq}); its array holds every layer. */
        public String llama2c() {
            return llama2c;
        }
    }

    private static final Map<String, String> GGUF_GLOBAL = Map.of(
            "token_embd.weight", EMBED,
            "output_norm.weight", NORM,
            "output.weight", LM_HEAD);
    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.([a-z_]+)\\.weight");
    private static final Pattern HF_LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.([a-z_.]+)\\.weight");

    private TensorNames() {
    }

    /** The Hugging Face name of a GGUF tensor, or null if it is not part of a Llama model. */
    public static String ggufToHf(String ggufName) {
        String global = GGUF_GLOBAL.get(ggufName);
        if (global != null) {
            return global;
        }
        Matcher m = GGUF_LAYER.matcher(ggufName);
        if (m.matches()) {
            for (LayerTensor t : LayerTensor.values()) {
                if (t.gguf.equals(m.group(2))) {
                    return t.hf(Integer.parseInt(m.group(1)));
                }
            }
        }
        return null;
    }

    /** The GGUF name of a Hugging Face tensor, or null if it is not part of a Llama model. */
    public static String hfToGguf(String hfName) {
        for (Map.Entry<String, String> e : GGUF_GLOBAL.entrySet()) {
            if (e.getValue().equals(hfName)) {
                return e.getKey();
            }
        }
        Matcher m = HF_LAYER.matcher(hfName);
        if (m.matches()) {
            for (LayerTensor t : LayerTensor.values()) {
                if (t.hf.equals(m.group(2))) {
                    return t.gguf(Integer.parseInt(m.group(1)));
                }
            }
        }
        return null;
    }

    /** The layer tensor a Hugging Face name denotes, or null (embeddings, final norm, head, unknown). */
    public static LayerTensor layerTensor(String hfName) {
        Matcher m = HF_LAYER.matcher(hfName);
        if (m.matches()) {
            for (LayerTensor t : LayerTensor.values()) {
                if (t.hf.equals(m.group(2))) {
                    return t;
                }
            }
        }
        return null;
    }
}
