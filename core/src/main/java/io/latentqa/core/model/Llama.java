package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.latentqa.core.io.WeightSource;
import io.latentqa.core.lora.Adapter;
import io.latentqa.core.lora.LoraLinear;
import io.latentqa.core.lora.LoraTarget;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Llama-family decoder-only transformer (Llama 2/3, SmolLM2, TinyStories llama2.c models):
 * RMSNorm, rotary embeddings, grouped-query attention, SwiGLU, tied or untied output head.
 *
 * <p>One {@code Llama} holds one copy of the base weights (in its own NDManager) and any number of
 * named LoRA {@link Adapter}s; each {@link #forward} call runs the base model or one adapter. The
 * forward pass is batched over left-padded rows, can stop early, reads and patches the residual
 * stream between blocks ({@link ActivationHook}) and fills a {@link KvCache} for generation. Under a
 * DJL {@code GradientCollector} it is differentiable with respect to LoRA parameters and patch
 * vectors.
 *
 * <p>Compute dtype is FLOAT32 (FLOAT64 for gradient checks), chosen at load. Dimension letters: B
 * rows, T tokens of the call, S keys (cached + new), H query heads, Hkv key/value heads, hs head
 * size, dim d_model, V vocabulary.
 *
 * <p>Thread safety: {@code forward} may be called from several threads (weights are read-only);
 * adapters may be added and removed while others run.
 */
public final class Llama implements AutoCloseable {

    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final NDManager manager;
    private final DataType dtype;
    private final Rope rope;
    private final Map<String, Adapter> adapters = new ConcurrentHashMap<>();

    private Llama(LlamaConfig config, LlamaWeights weights, NDManager manager, DataType dtype) {
        this.config = config;
        this.weights = weights;
        this.manager = manager;
        this.dtype = dtype;
        this.rope = new Rope(config.ropeStyle(), config.headSize(), config.ropeTheta());
    }

    /**
     * Loads a model: reads every tensor of {@code source} once into a new NDManager of this model.
     *
     * @param source weights with Hugging Face names and layout
     * @param dtype  FLOAT32, or FLOAT64 for finite-difference checks
     */
    public static Llama load(WeightSource source, DataType dtype) {
        NDManager manager = NDManager.newBaseManager();
        try {
            LlamaWeights weights = LlamaWeights.load(source, manager, dtype);
            return new Llama(source.config(), weights, manager, dtype);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public LlamaConfig config() {
        return config;
    }

    public DataType dataType() {
        return dtype;
    }

    /** The base weights (read-only; owned by this model). */
    public LlamaWeights weights() {
        return weights;
    }

    /** A KV cache of this model's shape and dtype; the caller owns (closes) it. */
    public KvCache newCache(int batchSize, int capacity) {
        return KvCache.create(config, batchSize, capacity, dtype);
    }

    // ----------------------------------------------------------------------------------------------
    // adapters

    /**
     * Registers an adapter under its name; the model then owns it and closes it on {@link #close}.
     *
     * @throws IllegalArgumentException if the name is taken or the adapter does not fit this model
     */
    public void addAdapter(Adapter adapter) {
        if (!adapter.modelConfig().equals(config) && !adapter.modelConfig().withRopeStyle(config.ropeStyle()).equals(config)) {
            throw new IllegalArgumentException("adapter '" + adapter.name() + "' was made for " + adapter.modelConfig()
                    + ", not for this model " + config);
        }
        if (adapter.dataType() != dtype) {
            throw new IllegalArgumentException("adapter '" + adapter.name() + "' is " + adapter.dataType()
                    + " but the model computes in " + dtype);
        }
        if (adapters.putIfAbsent(adapter.name(), adapter) != null) {
            throw new IllegalArgumentException("an adapter named '" + adapter.name() + "' is already registered; remove it first");
        }
    }

    /** Unregisters an adapter and hands ownership back to the caller; null if absent. */
    public Adapter removeAdapter(String name) {
        return adapters.remove(name);
    }

    /** The registered adapter of that name, or null. */
    public Adapter adapter(String name) {
        return adapters.get(name);
    }

    /** Names of the registered adapters. */
    public Set<String> adapterNames() {
        return Collections.unmodifiableSet(adapters.keySet());
    }

    // ----------------------------------------------------------------------------------------------
    // forward

    /**
     * Runs the transformer over a batch.
     *
     * <p>Every array created belongs to {@code manager}; intermediate arrays are closed before
     * return, the result's arrays stay until the caller closes {@code manager} (or the
     * {@code NDScope} it has open). Under a gradient collector the autograd graph keeps what backward
     * needs.
     *
     * @param request what to compute
     * @param manager owner of the results
     * @return logits and residuals as requested
     */
    public ForwardResult forward(ForwardRequest request, NDManager manager) {
        TokenBatch batch = request.tokens();
        int rows = batch.size();
        int length = batch.length();
        KvCache cache = request.cache();
        int start = cache == null ? 0 : cache.begin(batch);
        int[] pads = cache == null ? batch.pads() : cache.pads();
        int keys = start + length;
        Adapter adapter = activeAdapter(request.adapter());
        boolean training = request.training();
        int lastLayer = request.lastLayer(config.nLayers());
        checkLayers(request);
        int heads = config.nHeads();
        int kvHeads = config.nKvHeads();
        int headSize = config.headSize();
        float eps = config.rmsNormEps();

        Map<Integer, NDArray> residuals = new TreeMap<>();
        Set<NDArray> returned = Collections.newSetFromMap(new IdentityHashMap<>());
        NDArray logits = null;
        try (NDScope forwardScope = new NDScope()) {
            // token embedding: (B, T) ids -> (B, T, dim)
            NDArray ids = manager.create(batch.paddedIds(), new Shape(rows, length));
            NDArray x = Embedding.embedding(ids, weights.tokenEmbedding(), SparseFormat.DENSE).singletonOrThrow();
            // rotary tables for every cell, positions counted from each row's first real token: (B, T, 1, hs)
            NDArray[] rotary = rope.tables(positionIds(pads, start, length), manager, dtype);
            NDArray cos = rotary[0];
            NDArray sin = rotary[1];
            // causal mask hiding the padding: (B, 1, 1, T, S), or null when nothing is hidden
            NDArray mask = Attention.causalMask(pads, start, length, manager, dtype);

            for (int l = 0; l <= lastLayer; l++) {
                LayerWeights w = weights.layers().get(l);
                NDArray next;
                NDArray read = null;
                try (NDScope layerScope = new NDScope()) {
                    // attention rmsnorm: (B, T, dim)
                    NDArray xb = RmsNorm.forward(x, w.rmsAtt(), eps);
                    // q, k, v projections: (B, T, dim) -> (B, T, H, hs), (B, T, Hkv, hs)
                    NDArray q = Projection.apply(xb, w.wq(), lora(adapter, l, LoraTarget.Q_PROJ), training)
                            .reshape(rows, length, heads, headSize);
                    NDArray k = Projection.apply(xb, w.wk(), lora(adapter, l, LoraTarget.K_PROJ), training)
                            .reshape(rows, length, kvHeads, headSize);
                    NDArray v = Projection.apply(xb, w.wv(), lora(adapter, l, LoraTarget.V_PROJ), training)
                            .reshape(rows, length, kvHeads, headSize);
                    // rotate q and k by position
                    q = rope.apply(q, cos, sin);
                    k = rope.apply(k, cos, sin);
                    // keys and values head-major: (B, T, Hkv, hs) -> (B, Hkv, T, hs)
                    k = k.transpose(0, 2, 1, 3);
                    v = v.transpose(0, 2, 1, 3);
                    if (cache != null) {
                        // store this call's keys/values after the cached ones, attend over all: (B, Hkv, S, hs)
                        cache.write(l, start, k, v);
                        k = cache.keys(l, keys);
                        v = cache.values(l, keys);
                    }
                    // grouped-query attention: (B, T, H * hs)
                    NDArray att = Attention.forward(q, k, v, mask, config.kvMul());
                    // output projection and residual connection: (B, T, dim)
                    NDArray h = x.add(Projection.apply(att, w.wo(), lora(adapter, l, LoraTarget.O_PROJ), training));
                    // feed-forward rmsnorm, SwiGLU and residual connection: (B, T, dim)
                    xb = RmsNorm.forward(h, w.rmsFfn(), eps);
                    next = h.add(SwiGlu.forward(xb, w,
                            lora(adapter, l, LoraTarget.GATE_PROJ),
                            lora(adapter, l, LoraTarget.UP_PROJ),
                            lora(adapter, l, LoraTarget.DOWN_PROJ), training));
                    // hooks on the stream after this block: patches first, then reads
                    for (ResidualPatch patch : request.patches()) {
                        if (patch.layer() == l) {
                            next = ActivationHook.write(next, batch, patch);
                        }
                    }
                    if (request.readLayers().contains(l)) {
                        read = ActivationHook.read(next, batch, request.readPositions());
                        NDScope.unregister(read);
                    }
                    if (request.detachBlocks()) {
                        // the next block sees the stream as a constant: a loss read here trains this block only
                        next = next.stopGradient();
                    }
                    NDScope.unregister(next);
                }
                // the arrays that outlive the block join the forward's scope
                NDScope.register(next);
                if (read != null) {
                    NDScope.register(read);
                    residuals.put(l, read);
                    returned.add(read);
                }
                if (!returned.contains(x)) {
                    // free the previous stream now: long prompts would otherwise hold one per block
                    NDScope.unregister(x);
                    x.close();
                }
                x = next;
            }
            if (cache != null) {
                cache.advance(length);
            }

            if (!request.logits().isNone()) {
                try (NDScope headScope = new NDScope()) {
                    // select the positions first: the final norm is per position and the head is the costly part
                    NDArray h = request.logits().kind() == RowPositions.Kind.ALL
                            ? x                                                       // (B, T, dim)
                            : ActivationHook.select(x, request.logits().flatIndices(batch)); // (N, dim)
                    h = RmsNorm.forward(h, weights.rmsFinal(), eps);
                    // classifier: (..., dim) -> (..., V)
                    logits = Projection.apply(h, weights.classifier(), headLora(adapter), training);
                    NDScope.unregister(logits);
                }
                NDScope.register(logits);
                returned.add(logits);
            }
            // keep the results out of the forward's scope, which frees everything else
            for (NDArray array : returned) {
                NDScope.unregister(array);
            }
        }
        // hand the results to the caller's scope, if one is open
        for (NDArray array : returned) {
            NDScope.register(array);
        }
        return new ForwardResult(logits, residuals);
    }

    /** Position id of each cell: column minus the row's padding, 0 inside the padding. (B, T) */
    private static int[][] positionIds(int[] pads, int start, int length) {
        int[][] positions = new int[pads.length][length];
        for (int b = 0; b < pads.length; b++) {
            for (int t = 0; t < length; t++) {
                positions[b][t] = Math.max(0, start + t - pads[b]);
            }
        }
        return positions;
    }

    private Adapter activeAdapter(String name) {
        if (name == null) {
            return null;
        }
        Adapter adapter = adapters.get(name);
        if (adapter == null) {
            throw new IllegalArgumentException("no adapter named '" + name + "' is registered; registered: " + adapters.keySet());
        }
        return adapter;
    }

    private static LoraLinear lora(Adapter adapter, int layer, LoraTarget target) {
        return adapter == null ? null : adapter.lora(layer, target);
    }

    private static LoraLinear headLora(Adapter adapter) {
        return adapter == null ? null : adapter.lora(-1, LoraTarget.LM_HEAD);
    }

    private void checkLayers(ForwardRequest request) {
        List<Integer> layers = new ArrayList<>(request.readLayers());
        request.patches().forEach(p -> layers.add(p.layer()));
        for (int layer : layers) {
            if (layer < 0 || layer >= config.nLayers()) {
                throw new IllegalArgumentException("block " + layer + " does not exist; the model has blocks 0.." + (config.nLayers() - 1));
            }
        }
    }

    /** Frees the weights and every registered adapter. */
    @Override
    public void close() {
        adapters.values().forEach(Adapter::close);
        adapters.clear();
        manager.close();
    }

    @Override
    public String toString() {
        return "Llama[" + config + ", " + dtype + ", adapters=" + adapters.keySet() + "]";
    }
}
