package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every block for a batch of left-padded rows, so that generation feeds only
 * the new token of each row. Buffers are allocated once at full capacity, {@code (B, Hkv, capacity,
 * hs)} per block, and filled in place; the first call that uses the cache (the prefill) fixes each
 * row's padding, later calls append the same number of tokens to every row.
 *
 * <p>The cache is per-sequence state: it owns its native memory (close it), is not thread-safe and
 * is meant for inference (no gradients flow through cached keys).
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;   // per block (B, Hkv, capacity, hs)
    private final NDArray[] values; // per block (B, Hkv, capacity, hs)
    private final int batchSize;
    private final int capacity;
    private int[] pads;             // per row, set by the prefill
    private int length;             // columns filled

    private KvCache(NDManager manager, NDArray[] keys, NDArray[] values, int batchSize, int capacity) {
        this.manager = manager;
        this.keys = keys;
        this.values = values;
        this.batchSize = batchSize;
        this.capacity = capacity;
    }

    /**
     * Allocates a zeroed cache.
     *
     * @param config    the model's blueprint
     * @param batchSize B, rows
     * @param capacity  columns: the longest prompt plus the tokens to generate
     * @param dtype     the model's dtype
     */
    public static KvCache create(LlamaConfig config, int batchSize, int capacity, DataType dtype) {
        if (batchSize <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("a KV cache needs positive batch size and capacity, got " + batchSize + ", " + capacity);
        }
        NDManager manager = NDManager.newBaseManager();
        Shape shape = new Shape(batchSize, config.nKvHeads(), capacity, config.headSize());
        NDArray[] keys = new NDArray[config.nLayers()];
        NDArray[] values = new NDArray[config.nLayers()];
        for (int l = 0; l < config.nLayers(); l++) {
            keys[l] = manager.zeros(shape, dtype);
            values[l] = manager.zeros(shape, dtype);
        }
        return new KvCache(manager, keys, values, batchSize, capacity);
    }

    /** B. */
    public int batchSize() {
        return batchSize;
    }

    /** Columns allocated. */
    public int capacity() {
        return capacity;
    }

    /** Columns filled (padding included). */
    public int length() {
        return length;
    }

    /** Padding columns in front of row {@code b} (0 before the prefill). */
    public int pad(int b) {
        return pads == null ? 0 : pads[b];
    }

    /** Real tokens of row {@code b} in the cache; the next token of the row gets this position id. */
    public int rowLength(int b) {
        return length - pad(b);
    }

    /**
     * A new cache of {@code rows} rows, each a copy of this one-row cache's contents: a prompt computed
     * once, then continued in several ways (scoring several answers to one question). Same capacity; the
     * caller owns (closes) the copy.
     */
    public KvCache repeatRow(int rows) {
        if (batchSize != 1 || length == 0) {
            throw new IllegalStateException("only a filled one-row cache can be repeated; this one has " + batchSize
                    + " rows and " + length + " columns");
        }
        NDManager copyManager = NDManager.newBaseManager();
        NDArray[] copyKeys = new NDArray[keys.length];
        NDArray[] copyValues = new NDArray[values.length];
        for (int l = 0; l < keys.length; l++) {
            copyKeys[l] = keys[l].repeat(0, rows);
            copyKeys[l].attach(copyManager);
            copyValues[l] = values[l].repeat(0, rows);
            copyValues[l].attach(copyManager);
        }
        KvCache copy = new KvCache(copyManager, copyKeys, copyValues, rows, capacity);
        copy.pads = new int[rows]; // a one-row prefill has no padding
        copy.length = length;
        return copy;
    }

    /** Forgets the contents (keeps the buffers) so the cache can serve a new batch. */
    public void reset() {
        length = 0;
        pads = null;
    }

    /**
     * Checks that {@code batch} may be appended and returns the column it starts at. The first call
     * records the batch's padding; later calls need rectangular batches (same new length per row).
     */
    int begin(TokenBatch batch) {
        if (batch.size() != batchSize) {
            throw new IllegalArgumentException("the KV cache holds " + batchSize + " rows but the batch has " + batch.size());
        }
        if (length + batch.length() > capacity) {
            throw new IllegalArgumentException("the KV cache has room for " + capacity + " columns; " + length
                    + " are used and the batch adds " + batch.length() + " (allocate a larger cache)");
        }
        if (length == 0) {
            pads = batch.pads();
        } else if (!batch.isRectangular()) {
            throw new IllegalArgumentException("after the prefill every row must add the same number of tokens;"
                    + " the batch has rows of different lengths");
        }
        return length;
    }

    /** Padding of every row. */
    int[] pads() {
        return pads.clone();
    }

    /**
     * Stores one block's keys and values for columns {@code [start, start + T)}.
     *
     * @param k (B, Hkv, T, hs)
     * @param v (B, Hkv, T, hs)
     */
    void write(int layer, int start, NDArray k, NDArray v) {
        long end = start + k.getShape().get(2);
        NDIndex columns = new NDIndex(":, :, {}:{}", start, end);
        keys[layer].set(columns, k);
        values[layer].set(columns, v);
    }

    /** The first {@code end} columns of a block's keys, a view (B, Hkv, end, hs). */
    NDArray keys(int layer, int end) {
        return keys[layer].get(new NDIndex(":, :, :{}", end));
    }

    /** The first {@code end} columns of a block's values, a view (B, Hkv, end, hs). */
    NDArray values(int layer, int end) {
        return values[layer].get(new NDIndex(":, :, :{}", end));
    }

    /** Marks {@code count} more columns as filled, once every block has written them. */
    void advance(int count) {
        length += count;
    }

    @Override
    public void close() {
        manager.close();
    }
}
