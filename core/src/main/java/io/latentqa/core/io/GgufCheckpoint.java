package io.latentqa.core.io;

import io.latentqa.core.model.LlamaConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A llama-architecture GGUF file seen as Hugging Face float32 tensors.
 *
 * <p>Config from the metadata ({@code llama.embedding_length}, {@code llama.feed_forward_length},
 * {@code llama.block_count}, {@code llama.attention.head_count[_kv]}, {@code llama.context_length},
 * {@code llama.attention.layer_norm_rms_epsilon}, {@code llama.rope.freq_base}, default 10000);
 * vocabulary size from {@code tokenizer.ggml.tokens}; tied embeddings when {@code output.weight} is
 * absent. Names are mapped by {@link TensorNames}; GGUF lists dimensions innermost first, so a linear
 * layer's {@code [in, out]} becomes the Hugging Face shape {@code [out, in]} with the same bytes.
 *
 * <p>llama.cpp's converter permutes the rows of {@code attn_q} / {@code attn_k} within each head so
 * that its RoPE rotates adjacent pairs; {@link #read} undoes it (row 2i → i, row 2i+1 → i + hs/2 per
 * head; query heads for q, key/value heads for k) so the weights are in Hugging Face layout and the
 * config says {@link LlamaConfig.RopeStyle#HALF_SPLIT}.
 */
public final class GgufCheckpoint implements WeightSource {

    private final GgufFile gguf;
    private final LlamaConfig config;
    private final Map<String, String> ggufNames; // HF name -> GGUF name, in file order

    private GgufCheckpoint(GgufFile gguf) {
        this.gguf = gguf;
        String architecture = gguf.getString("general.architecture", "(none)");
        if (!architecture.equals("llama")) {
            throw new IllegalArgumentException(gguf.path() + " has general.architecture = " + architecture
                    + "; this engine runs the llama architecture (Llama, Mistral without sliding window, SmolLM, TinyLlama...)");
        }
        Map<String, String> names = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String ggufName : gguf.tensors().keySet()) {
            String hf = TensorNames.ggufToHf(ggufName);
            if (hf == null) {
                unknown.add(ggufName);
            } else {
                names.put(hf, ggufName);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(gguf.path() + " has tensors a plain Llama does not have: " + unknown
                    + (unknown.contains("rope_freqs.weight") ? " (rope_freqs = Llama 3.1 RoPE scaling, not supported)" : "")
                    + (unknown.stream().anyMatch(n -> n.endsWith(".bias")) ? " (attention/MLP biases are not supported)" : ""));
        }
        this.ggufNames = Collections.unmodifiableMap(names);
        this.config = readConfig(gguf, names.containsKey(TensorNames.LM_HEAD));
    }

    /** Opens a GGUF file; close the checkpoint to release it. */
    public static GgufCheckpoint open(Path path) {
        GgufFile file = GgufFile.open(path);
        try {
            return new GgufCheckpoint(file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static LlamaConfig readConfig(GgufFile g, boolean hasOutput) {
        int dim = g.getInt("llama.embedding_length");
        int heads = g.getInt("llama.attention.head_count");
        int kvHeads = g.getInt("llama.attention.head_count_kv", heads);
        int headSize = dim / heads;
        if (g.has("llama.rope.dimension_count") && g.getInt("llama.rope.dimension_count") != headSize) {
            throw new IllegalArgumentException(g.path() + ": llama.rope.dimension_count = " + g.getInt("llama.rope.dimension_count")
                    + " rotates part of each head (head size " + headSize + "); partial rotary embeddings are not supported");
        }
        for (String key : List.of("llama.attention.key_length", "llama.attention.value_length")) {
            if (g.has(key) && g.getInt(key) != headSize) {
                throw new IllegalArgumentException(g.path() + ": " + key + " = " + g.getInt(key) + " differs from embedding_length / head_count = "
                        + headSize + "; this head layout is not supported");
            }
        }
        String scaling = g.getString("llama.rope.scaling.type", "none");
        if (!scaling.equals("none")) {
            throw new IllegalArgumentException(g.path() + ": llama.rope.scaling.type = " + scaling + " is not supported (plain RoPE only)");
        }
        if (g.getInt("llama.expert_count", 0) > 0) {
            throw new IllegalArgumentException(g.path() + " is a mixture-of-experts model (llama.expert_count = "
                    + g.getInt("llama.expert_count") + "); not supported");
        }
        int vocab = g.has("tokenizer.ggml.tokens") ? g.getStringArray("tokenizer.ggml.tokens").length
                : g.getInt("llama.vocab_size");
        return new LlamaConfig(
                dim,
                g.getInt("llama.feed_forward_length"),
                g.getInt("llama.block_count"),
                heads,
                kvHeads,
                vocab,
                g.getInt("llama.context_length"),
                g.getFloat("llama.attention.layer_norm_rms_epsilon", 1e-5f),
                g.getFloat("llama.rope.freq_base", 10000f),
                LlamaConfig.RopeStyle.HALF_SPLIT,
                !hasOutput);
    }

    /** The underlying file (metadata for the tokenizer and chat template). */
    public GgufFile gguf() {
        return gguf;
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public Set<String> names() {
        return ggufNames.keySet();
    }

    @Override
    public long[] shape(String name) {
        return gguf.tensor(ggufName(name)).shape();
    }

    @Override
    public float[] read(String name) {
        String ggufName = ggufName(name);
        float[] values = gguf.dequantize(ggufName);
        TensorNames.LayerTensor kind = TensorNames.layerTensor(name);
        if (kind == TensorNames.LayerTensor.Q_PROJ) {
            return unpermuteRows(values, config.nHeads(), config.dim());
        }
        if (kind == TensorNames.LayerTensor.K_PROJ) {
            return unpermuteRows(values, config.nKvHeads(), config.dim());
        }
        return values;
    }

    private String ggufName(String hfName) {
        String ggufName = ggufNames.get(hfName);
        if (ggufName == null) {
            throw new IllegalArgumentException(gguf.path() + " has no tensor '" + hfName + "'"
                    + (hfName.equals(TensorNames.LM_HEAD) ? " (the embeddings are tied: use " + TensorNames.EMBED + ")" : ""));
        }
        return ggufName;
    }

    /**
     * Undoes llama.cpp's q/k row permutation: within each head of {@code hs} rows, row {@code 2i}
     * goes to {@code i} and row {@code 2i+1} to {@code i + hs/2}.
     *
     * @param weights (heads * hs, cols) row-major, as stored in the GGUF file
     * @return a new (heads * hs, cols) array in Hugging Face order
     */
    public static float[] unpermuteRows(float[] weights, int heads, int cols) {
        int rows = weights.length / cols;
        int hs = rows / heads;
        checkPermutable(weights.length, rows, heads, cols, hs);
        float[] out = new float[weights.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hs / 2; i++) {
                System.arraycopy(weights, (h * hs + 2 * i) * cols, out, (h * hs + i) * cols, cols);
                System.arraycopy(weights, (h * hs + 2 * i + 1) * cols, out, (h * hs + i + hs / 2) * cols, cols);
            }
        }
        return out;
    }

    /**
     * llama.cpp's permutation ({@code LlamaModel.permute} in convert_hf_to_gguf.py:
     * {@code w.reshape(heads, 2, hs/2, cols).swapaxes(1, 2).reshape(w.shape)}), the inverse of
     * {@link #unpermuteRows}; used when writing GGUF-layout weights.
     */
    public static float[] permuteRows(float[] weights, int heads, int cols) {
        int rows = weights.length / cols;
        int hs = rows / heads;
        checkPermutable(weights.length, rows, heads, cols, hs);
        float[] out = new float[weights.length];
        for (int h = 0; h < heads; h++) {
            for (int half = 0; half < 2; half++) {
                for (int i = 0; i < hs / 2; i++) {
                    // source index (h, half, i) of the (heads, 2, hs/2) view lands at (h, i, half)
                    System.arraycopy(weights, (h * hs + half * (hs / 2) + i) * cols, out, (h * hs + 2 * i + half) * cols, cols);
                }
            }
        }
        return out;
    }

    private static void checkPermutable(int length, int rows, int heads, int cols, int hs) {
        if (rows * cols != length || hs * heads != rows || hs % 2 != 0) {
            throw new IllegalArgumentException("cannot permute " + length + " values as " + heads + " heads of even size x "
                    + cols + " columns");
        }
    }

    @Override
    public void close() {
        gguf.close();
    }

    @Override
    public String toString() {
        return "GgufCheckpoint[" + gguf.path() + ", " + config + "]";
    }
}
