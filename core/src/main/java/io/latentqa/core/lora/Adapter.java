package io.latentqa.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.model.LlamaConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One named LoRA adapter: a {@link LoraLinear} pair for each adapted layer, in its own NDManager.
 * Register it on a {@link io.latentqa.core.model.Llama} ({@code addAdapter}) and name it in a forward
 * request; the base weights are shared by every adapter.
 *
 * <p>Parameters are kept in PEFT's layout (A (r, in), B (out, r)) and named as PEFT names them
 * ({@link #parameters()}), so an optimizer, a checkpoint and a PEFT file all see the same tensors.
 */
public final class Adapter implements AutoCloseable {

    private final String name;
    private final LoraConfig config;
    private final LlamaConfig modelConfig;
    private final DataType dtype;
    private final NDManager manager;
    private final LoraLinear[][] blocks; // [layer][target ordinal], null where not adapted
    private final LoraLinear head;       // null when lm_head is not adapted

    private Adapter(String name, LoraConfig config, LlamaConfig modelConfig, DataType dtype, NDManager manager,
                    LoraLinear[][] blocks, LoraLinear head) {
        this.name = name;
        this.config = config;
        this.modelConfig = modelConfig;
        this.dtype = dtype;
        this.manager = manager;
        this.blocks = blocks;
        this.head = head;
    }

    /**
     * A fresh adapter initialised like PEFT: A ~ kaiming-uniform(a = sqrt(5)), i.e. uniform in
     * +-1/sqrt(in), B = 0, so the adapted model starts equal to the base model. Deterministic for a
     * seed (values drawn layer by layer in {@link LoraTarget} order, then the head).
     *
     * @param name  the name forward requests use
     * @param dtype the model's dtype
     */
    public static Adapter initialize(String name, LoraConfig config, LlamaConfig model, DataType dtype, long seed) {
        Random random = new Random(seed);
        return build(name, config, model, dtype, (path, target, isA) -> {
            int in = target.inFeatures(model);
            int out = target.outFeatures(model);
            if (!isA) {
                return new float[out * config.rank()];
            }
            // kaiming_uniform_(a=sqrt(5)): gain sqrt(2 / (1 + 5)), bound gain * sqrt(3 / fan_in) = 1 / sqrt(in)
            double bound = 1.0 / Math.sqrt(in);
            float[] values = new float[config.rank() * in];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            return values;
        });
    }

    /** Supplies the values of one PEFT tensor, given the shape the adapter needs. */
    @FunctionalInterface
    public interface TensorSource {
        /**
         * @param name  PEFT tensor name, {@code <path>.lora_A.weight} or {@code <path>.lora_B.weight}
         * @param shape (r, in) for A, (out, r) for B
         * @return row-major values; fail with a message naming the tensor if it is missing or shaped otherwise
         */
        float[] read(String name, long[] shape);
    }

    /**
     * An adapter from given values, e.g. read from a file.
     *
     * @param tensors supplies every adapted layer's A and B (checked against the needed size)
     */
    public static Adapter fromTensors(String name, LoraConfig config, LlamaConfig model, DataType dtype,
                                      TensorSource tensors) {
        return build(name, config, model, dtype, (path, target, isA) -> {
            String tensor = path + (isA ? ".lora_A.weight" : ".lora_B.weight");
            long[] shape = isA
                    ? new long[] {config.rank(), target.inFeatures(model)}
                    : new long[] {target.outFeatures(model), config.rank()};
            float[] values = tensors.read(tensor, shape);
            if (values == null || values.length != shape[0] * shape[1]) {
                throw new IllegalArgumentException("adapter '" + name + "' needs tensor " + tensor + " of shape "
                        + java.util.Arrays.toString(shape) + ", got " + (values == null ? "none" : values.length + " values"));
            }
            return values;
        });
    }

    private interface Values {
        float[] get(String path, LoraTarget target, boolean isA);
    }

    private static Adapter build(String name, LoraConfig config, LlamaConfig model, DataType dtype, Values values) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an adapter needs a name");
        }
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
            throw new IllegalArgumentException("adapters compute in FLOAT32 or FLOAT64, not " + dtype);
        }
        if (!config.layers().isEmpty() && config.layers().last() >= model.nLayers()) {
            throw new IllegalArgumentException("LoRA layers " + config.layers() + " exceed the model's " + model.nLayers() + " blocks");
        }
        NDManager manager = NDManager.newBaseManager();
        try {
            LoraTarget[] targets = LoraTarget.values();
            LoraLinear[][] blocks = new LoraLinear[model.nLayers()][targets.length];
            LoraLinear head = null;
            for (int l = 0; l < model.nLayers(); l++) {
                for (LoraTarget target : targets) {
                    if (target.inBlock() && config.adapts(l, target)) {
                        blocks[l][target.ordinal()] = pair(config, model, dtype, manager, target, l, values);
                    }
                }
            }
            if (config.adapts(-1, LoraTarget.LM_HEAD)) {
                head = pair(config, model, dtype, manager, LoraTarget.LM_HEAD, -1, values);
            }
            return new Adapter(name, config, model, dtype, manager, blocks, head);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static LoraLinear pair(LoraConfig config, LlamaConfig model, DataType dtype, NDManager manager,
                                   LoraTarget target, int layer, Values values) {
        String path = target.peftPath(layer);
        NDArray a = array(manager, values.get(path, target, true), new Shape(config.rank(), target.inFeatures(model)), dtype);
        NDArray b = array(manager, values.get(path, target, false), new Shape(target.outFeatures(model), config.rank()), dtype);
        return new LoraLinear(a, b, config.scale(), config.dropout());
    }

    private static NDArray array(NDManager manager, float[] values, Shape shape, DataType dtype) {
        NDArray array = manager.create(values, shape);
        if (dtype == DataType.FLOAT32) {
            return array;
        }
        NDArray converted = array.toType(dtype, false);
        array.close();
        return converted;
    }

    public String name() {
        return name;
    }

    public LoraConfig config() {
        return config;
    }

    /** The blueprint of the model this adapter was made for. */
    public LlamaConfig modelConfig() {
        return modelConfig;
    }

    public DataType dataType() {
        return dtype;
    }

    /**
     * The pair adapting {@code target} in block {@code layer} (any layer for {@link LoraTarget#LM_HEAD}),
     * or null when that layer is not adapted.
     */
    public LoraLinear lora(int layer, LoraTarget target) {
        if (target == LoraTarget.LM_HEAD) {
            return head;
        }
        return blocks[layer][target.ordinal()];
    }

    /**
     * Every parameter under its PEFT tensor name ({@code ...q_proj.lora_A.weight}), blocks in order,
     * then the head. The arrays are the live parameters (not copies).
     */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        for (int l = 0; l < blocks.length; l++) {
            for (LoraTarget target : LoraTarget.values()) {
                if (target.inBlock() && blocks[l][target.ordinal()] != null) {
                    put(named, target.peftPath(l), blocks[l][target.ordinal()]);
                }
            }
        }
        if (head != null) {
            put(named, LoraTarget.LM_HEAD.peftPath(-1), head);
        }
        return Collections.unmodifiableMap(named);
    }

    private static void put(Map<String, NDArray> named, String path, LoraLinear pair) {
        named.put(path + ".lora_A.weight", pair.a());
        named.put(path + ".lora_B.weight", pair.b());
    }

    /** The parameters as a list, for an optimizer (same order as {@link #parameters()}). */
    public List<NDArray> trainableParameters() {
        return new ArrayList<>(parameters().values());
    }

    /** Number of trainable values. */
    public long parameterCount() {
        long count = 0;
        for (NDArray p : parameters().values()) {
            count += p.size();
        }
        return count;
    }

    /**
     * Turns gradient recording on (training) or off (serving) for every parameter. Leave it off for
     * adapters that only serve: recording costs memory on every forward.
     */
    public void setTrainable(boolean trainable) {
        for (NDArray p : parameters().values()) {
            p.setRequiresGradient(trainable);
        }
    }

    /** Sets every accumulated gradient to zero (gradients add up across backward calls). */
    public void zeroGradients() {
        for (NDArray p : parameters().values()) {
            if (p.hasGradient()) {
                try (NDArray gradient = p.getGradient()) {
                    gradient.set(new NDIndex("..."), 0); // a fill: g - g would keep a NaN forever
                }
            }
        }
    }

    /** Frees the parameters. */
    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "Adapter[" + name + ", r=" + config.rank() + ", alpha=" + config.alpha() + ", targets=" + config.targets()
                + (config.layers().isEmpty() ? "" : ", layers=" + config.layers()) + ", " + parameterCount() + " parameters]";
    }
}
