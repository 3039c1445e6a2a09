package io.latentqa.core.io;

import io.latentqa.core.model.LlamaConfig;
import io.latentqa.core.model.LlamaConfig.RopeStyle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A llama2.c checkpoint ({@code run.c}'s legacy "version 0" format, float32 little-endian) seen as
 * Hugging Face tensors. Read in file order, so this class doubles as the format's spec:
 * <pre>
 *   header: 7 x int32 = dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
 *           (vocab_size negative = the classifier is a separate tensor at the end)
 *   token_embedding (vocab, dim)
 *   rms_att (L, dim)   wq (L, dim, dim)   wk (L, kv_dim, dim)   wv (L, kv_dim, dim)   wo (L, dim, dim)
 *   rms_ffn (L, dim)   w1 (L, hidden, dim)   w2 (L, dim, hidden)   w3 (L, hidden, dim)
 *   rms_final (dim)    freq_cis_real (seq_len, hs/2)   freq_cis_imag (seq_len, hs/2)   [wcls (vocab, dim)]
 * </pre>
 * llama2.c rotates adjacent pairs (2i, 2i+1) of each head; the engine's weights are half-split
 * (i, i + hs/2) like Hugging Face's. {@link #open} therefore un-permutes the rows of wq and wk per
 * head, row 2i -> i and row 2i+1 -> i + hs/2, as Hugging Face's and llama.cpp's converters do, and
 * reports {@link RopeStyle#HALF_SPLIT}. {@link #openAdjacentPairs} keeps the file's rows and reports
 * {@link RopeStyle#ADJACENT_PAIRS} (to test that both conventions agree). Constants llama2.c does
 * not store: RMSNorm eps 1e-5, RoPE theta 10000.
 */
public final class Llama2cCheckpoint implements WeightSource {

    private static final float RMS_NORM_EPS = 1e-5f;
    private static final float ROPE_THETA = 10000f;
    private static final int HEADER_INTS = 7;

    private record Entry(long offset, long[] shape, int permuteHeads) {
    }

    private final Path path;
    private final LlamaConfig config;
    private final FileChannel channel;
    private final ByteBuffer data;
    private final Map<String, Entry> entries;
    private final boolean halfSplit;

    private Llama2cCheckpoint(Path path, boolean halfSplit) throws IOException {
        this.path = path;
        this.halfSplit = halfSplit;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < HEADER_INTS * 4L) {
                throw new IllegalArgumentException(path + ": a llama2.c checkpoint starts with a 28-byte header, the file has " + size + " bytes");
            }
            this.data = channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            int magic = data.getInt(0);
            if (magic == 0x616b3432) {
                throw new IllegalArgumentException(path + " is a llama2.c 'ak42' checkpoint (export version 1/2);"
                        + " only the legacy version-0 layout that run.c reads is supported: export with --version 0");
            }
            int dim = data.getInt(0);
            int hidden = data.getInt(4);
            int layers = data.getInt(8);
            int heads = data.getInt(12);
            int kvHeads = data.getInt(16);
            int vocab = data.getInt(20);
            int seqLen = data.getInt(24);
            boolean shared = vocab > 0;
            vocab = Math.abs(vocab);
            this.config = new LlamaConfig(dim, hidden, layers, heads, kvHeads, vocab, seqLen, RMS_NORM_EPS, ROPE_THETA,
                    halfSplit ? RopeStyle.HALF_SPLIT : RopeStyle.ADJACENT_PAIRS, shared);
            int headSize = config.headSize();
            int kvDim = config.kvDim();

            // tensors in file order; per-layer arrays are stacked, so layer l starts at l * (one layer)
            Map<String, Entry> map = new LinkedHashMap<>();
            long offset = HEADER_INTS * 4L;
            offset = put(map, "model.embed_tokens.weight", offset, 0, vocab, dim);
            offset = perLayer(map, "input_layernorm.weight", offset, layers, 0, dim);
            offset = perLayer(map, "self_attn.q_proj.weight", offset, layers, heads, dim, dim);
            offset = perLayer(map, "self_attn.k_proj.weight", offset, layers, kvHeads, kvDim, dim);
            offset = perLayer(map, "self_attn.v_proj.weight", offset, layers, 0, kvDim, dim);
            offset = perLayer(map, "self_attn.o_proj.weight", offset, layers, 0, dim, dim);
            offset = perLayer(map, "post_attention_layernorm.weight", offset, layers, 0, dim);
            offset = perLayer(map, "mlp.gate_proj.weight", offset, layers, 0, hidden, dim);
            offset = perLayer(map, "mlp.down_proj.weight", offset, layers, 0, dim, hidden);
            offset = perLayer(map, "mlp.up_proj.weight", offset, layers, 0, hidden, dim);
            offset = put(map, "model.norm.weight", offset, 0, dim);
            offset += 2L * seqLen * (headSize / 2) * 4; // freq_cis_real, freq_cis_imag: unused (RoPE is computed)
            if (!shared) {
                offset = put(map, "lm_head.weight", offset, 0, vocab, dim);
            }
            if (offset != size) {
                throw new IllegalArgumentException(path + ": the header " + config + " implies " + offset
                        + " bytes but the file has " + size + " (not a version-0 llama2.c checkpoint, or truncated)");
            }
            this.entries = Collections.unmodifiableMap(map);
        } catch (RuntimeException | IOException e) {
            channel.close();
            throw e;
        }
    }

    /** Opens a checkpoint with q/k rows un-permuted to the Hugging Face half-split layout. */
    public static Llama2cCheckpoint open(Path path) {
        return open(path, true);
    }

    /** Opens a checkpoint keeping llama2.c's adjacent-pair q/k rows (config says ADJACENT_PAIRS). */
    public static Llama2cCheckpoint openAdjacentPairs(Path path) {
        return open(path, false);
    }

    private static Llama2cCheckpoint open(Path path, boolean halfSplit) {
        try {
            return new Llama2cCheckpoint(path, halfSplit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read llama2.c checkpoint " + path, e);
        }
    }

    private static long put(Map<String, Entry> map, String name, long offset, int permuteHeads, long... shape) {
        map.put(name, new Entry(offset, shape, permuteHeads));
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        return offset + count * 4;
    }

    private static long perLayer(Map<String, Entry> map, String suffix, long offset, int layers, int permuteHeads, long... shape) {
        for (int l = 0; l < layers; l++) {
            offset = put(map, "model.layers." + l + "." + suffix, offset, permuteHeads, shape);
        }
        return offset;
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    @Override
    public float[] read(String name) {
        Entry entry = entry(name);
        long count = 1;
        for (long d : entry.shape()) {
            count *= d;
        }
        float[] values = new float[Math.toIntExact(count)];
        FloatBuffer floats = data.slice(Math.toIntExact(entry.offset()), values.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        floats.get(values);
        if (halfSplit && entry.permuteHeads() > 0) {
            return toHalfSplit(values, entry.permuteHeads(), (int) entry.shape()[1]);
        }
        return values;
    }

    /**
     * Un-permutes the rows of a q or k weight (heads x hs rows of {@code cols} values): within each
     * head, row 2i moves to i and row 2i+1 to i + hs/2 (the inverse of Hugging Face's
     * {@code permute} in {@code convert_llama_weights_to_hf.py}).
     */
    static float[] toHalfSplit(float[] rowsInPairs, int heads, int cols) {
        int rows = rowsInPairs.length / cols;
        int headSize = rows / heads;
        int half = headSize / 2;
        float[] out = new float[rowsInPairs.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                int base = h * headSize;
                System.arraycopy(rowsInPairs, (base + 2 * i) * cols, out, (base + i) * cols, cols);
                System.arraycopy(rowsInPairs, (base + 2 * i + 1) * cols, out, (base + half + i) * cols, cols);
            }
        }
        return out;
    }

    private Entry entry(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(path + " has no tensor '" + name + "'; it has " + entries.keySet().size()
                    + " tensors named like model.layers.0.self_attn.q_proj.weight");
        }
        return entry;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "Llama2cCheckpoint[" + path + ", " + config + "]";
    }
}
