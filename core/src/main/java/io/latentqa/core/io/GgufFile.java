package io.latentqa.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF file (llama.cpp's format, versions 2 and 3), read in file order so this reader doubles as
 * the format's spec:
 * <ol>
 * <li>magic {@code "GGUF"}, u32 version, u64 tensor count, u64 metadata count;
 * <li>metadata: key (u64 length + UTF-8), u32 value type, value; arrays are u32 element type, u64
 *     count, elements;
 * <li>tensor infos: name, u32 dimension count, u64 dimensions ({@code ne}, innermost first), u32
 *     ggml type, u64 offset relative to the data section;
 * <li>padding to {@code general.alignment} (default 32), then the tensor data.
 * </ol>
 * All little-endian. The file is memory-mapped; tensors are read one at a time.
 *
 * <p>Metadata values become Java values: {@link Integer} (u8, i8, u16, i16, i32), {@link Long} (u32,
 * i64, u64), {@link Float}, {@link Double}, {@link Boolean}, {@link String}; arrays
 * become {@code byte[]} (i8/u8), {@code short[]} (i16/u16), {@code int[]} (i32/u32), {@code long[]},
 * {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]} or {@code Object[]} (nested).
 * Unsigned arrays keep their bit patterns.
 */
public final class GgufFile implements AutoCloseable {

    /** "GGUF" read as a little-endian u32. */
    private static final int MAGIC = 0x46554747;
    private static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4;

    /** Metadata value types ({@code enum gguf_type}). */
    public enum ValueType {
        UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64;

        static ValueType fromId(int id, String key) {
            if (id < 0 || id >= values().length) {
                throw new IllegalArgumentException("metadata '" + key + "' has unknown value type " + id);
            }
            return values()[id];
        }
    }

    /**
     * One tensor's header.
     *
     * @param dims   GGUF dimensions, innermost (contiguous) first: {@code [in, out]} for a linear layer
     * @param offset absolute position of the data in the file
     */
    public record TensorInfo(String name, long[] dims, GgmlType type, long offset, long byteSize) {

        public long elementCount() {
            long n = 1;
            for (long d : dims) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** Dimensions in row-major (PyTorch) order: {@code dims} reversed, e.g. {@code [out, in]}. */
        public long[] shape() {
            long[] shape = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = dims[dims.length - 1 - i];
            }
            return shape;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, ValueType> metadataTypes;
    private final Map<String, ValueType> arrayElementTypes = new LinkedHashMap<>();
    private final Map<String, TensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, FileChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        long fileSize = channel.size();
        ByteBuffer header = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(fileSize, Integer.MAX_VALUE))
                .order(ByteOrder.LITTLE_ENDIAN);
        GgufReader in = new GgufReader(header, path, arrayElementTypes);

        // 1. magic, version, counts
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw new IllegalArgumentException(path + " is not a GGUF file (magic " + String.format("0x%08x", magic)
                    + ", expected \"GGUF\")");
        }
        version = in.i32("version");
        if (version == 1) {
            throw new IllegalArgumentException(path + " is GGUF version 1, which this reader does not support; "
                    + "re-convert it with a current llama.cpp (versions 2 and 3 are supported)");
        }
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException(path + " has GGUF version " + version
                    + (Integer.reverseBytes(version) <= 3 ? " (a big-endian file?)" : "") + "; supported: 2 and 3");
        }
        long tensorCount = in.u64("tensor count");
        long metadataCount = in.u64("metadata count");
        if (tensorCount > Integer.MAX_VALUE || metadataCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(path + ": impossible counts (" + tensorCount + " tensors, "
                    + metadataCount + " metadata entries)");
        }

        // 2. metadata
        Map<String, Object> meta = new LinkedHashMap<>();
        Map<String, ValueType> types = new LinkedHashMap<>();
        for (long i = 0; i < metadataCount; i++) {
            String key = in.string("metadata key #" + i);
            ValueType type = ValueType.fromId(in.i32(key), key);
            if (meta.containsKey(key)) {
                throw new IllegalArgumentException(path + ": metadata key '" + key + "' appears twice");
            }
            meta.put(key, in.value(type, key));
            types.put(key, type);
        }
        metadata = Collections.unmodifiableMap(meta);
        metadataTypes = Collections.unmodifiableMap(types);
        Object alignmentValue = meta.get("general.alignment");
        alignment = alignmentValue == null ? DEFAULT_ALIGNMENT : ((Number) alignmentValue).intValue();
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException(path + ": general.alignment " + alignment + " is not a power of two");
        }

        // 3. tensor infos (offsets relative to the data section, fixed up below)
        String[] names = new String[(int) tensorCount];
        long[][] dims = new long[(int) tensorCount][];
        GgmlType[] ggmlTypes = new GgmlType[(int) tensorCount];
        long[] offsets = new long[(int) tensorCount];
        for (int t = 0; t < tensorCount; t++) {
            String name = in.string("tensor name #" + t);
            int nDims = in.i32(name + " dimension count");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw new IllegalArgumentException(path + ": tensor '" + name + "' has " + nDims + " dimensions (1.."
                        + MAX_DIMS + " allowed)");
            }
            dims[t] = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[t][d] = in.u64(name + " dimension");
                if (dims[t][d] < 0) {
                    throw new IllegalArgumentException(path + ": tensor '" + name + "' has a negative dimension");
                }
            }
            names[t] = name;
            ggmlTypes[t] = GgmlType.fromId(in.i32(name + " type"));
            offsets[t] = in.u64(name + " offset");
        }

        // 4. data section, aligned
        long position = in.position();
        dataOffset = (position + alignment - 1) / alignment * alignment;
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (int t = 0; t < tensorCount; t++) {
            String name = names[t];
            TensorInfo probe = new TensorInfo(name, dims[t], ggmlTypes[t], 0, 0);
            long elements = probe.elementCount();
            if (dims[t][0] % ggmlTypes[t].blockSize() != 0) {
                throw new IllegalArgumentException(path + ": tensor '" + name + "' has rows of " + dims[t][0]
                        + " weights, not a multiple of the " + ggmlTypes[t] + " block size " + ggmlTypes[t].blockSize());
            }
            long bytes = ggmlTypes[t].byteSize(elements);
            if (offsets[t] % alignment != 0) {
                throw new IllegalArgumentException(path + ": tensor '" + name + "' data offset " + offsets[t]
                        + " is not aligned to " + alignment);
            }
            long absolute = dataOffset + offsets[t];
            if (absolute + bytes > fileSize) {
                throw new IllegalArgumentException(path + ": tensor '" + name + "' (" + bytes + " bytes at " + absolute
                        + ") runs past the end of the file (" + fileSize + " bytes): truncated download?");
            }
            if (infos.put(name, new TensorInfo(name, dims[t], ggmlTypes[t], absolute, bytes)) != null) {
                throw new IllegalArgumentException(path + ": tensor '" + name + "' appears twice");
            }
        }
        tensors = Collections.unmodifiableMap(infos);
    }

    /** Opens a GGUF file and reads its header; tensor data stays mapped on disk. */
    public static GgufFile open(Path path) {
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            try {
                return new GgufFile(path, channel);
            } catch (RuntimeException | IOException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read GGUF file " + path, e);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // header access

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Position of the data section in the file. */
    public long dataOffset() {
        return dataOffset;
    }

    /** All metadata in file order (see the class comment for the Java types). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The GGUF type a metadata value was stored with. */
    public ValueType metadataType(String key) {
        return metadataTypes.get(key);
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /** A string value; fails naming the key when absent or not a string. */
    public String getString(String key) {
        return require(key, String.class);
    }

    /** A string value, or {@code fallback} when absent. */
    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    /** An integer value of any integer type (checked to fit an int). */
    public int getInt(String key) {
        long value = require(key, Number.class).longValue();
        if (value != (int) value) {
            throw new IllegalArgumentException(path + ": metadata '" + key + "' = " + value + " does not fit an int");
        }
        return (int) value;
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public long getLong(String key) {
        return require(key, Number.class).longValue();
    }

    /** A float value (float32 or float64 stored). */
    public float getFloat(String key) {
        return require(key, Number.class).floatValue();
    }

    public float getFloat(String key, float fallback) {
        return has(key) ? getFloat(key) : fallback;
    }

    public boolean getBoolean(String key, boolean fallback) {
        return has(key) ? require(key, Boolean.class) : fallback;
    }

    public String[] getStringArray(String key) {
        return require(key, String[].class);
    }

    /** An int32/uint32 array, or a narrower integer array widened. */
    public int[] getIntArray(String key) {
        Object value = require(key, Object.class);
        if (value instanceof int[] ints) {
            return ints;
        }
        if (value instanceof byte[] bytes) {
            int[] out = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                out[i] = isUnsigned(key) ? bytes[i] & 0xFF : bytes[i];
            }
            return out;
        }
        if (value instanceof short[] shorts) {
            int[] out = new int[shorts.length];
            for (int i = 0; i < shorts.length; i++) {
                out[i] = isUnsigned(key) ? shorts[i] & 0xFFFF : shorts[i];
            }
            return out;
        }
        throw new IllegalArgumentException(path + ": metadata '" + key + "' is not an integer array but "
                + value.getClass().getSimpleName());
    }

    public float[] getFloatArray(String key) {
        return require(key, float[].class);
    }

    private boolean isUnsigned(String key) {
        ValueType element = arrayElementTypes.get(key);
        return element == ValueType.UINT8 || element == ValueType.UINT16;
    }

    private <T> T require(String key, Class<T> type) {
        Object value = metadata.get(key);
        if (value == null) {
            throw new IllegalArgumentException(path + " has no metadata '" + key + "'");
        }
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(path + ": metadata '" + key + "' is " + value.getClass().getSimpleName()
                    + ", expected " + type.getSimpleName());
        }
        return type.cast(value);
    }

    /** Tensor headers in file order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public TensorInfo tensor(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(path + " has no tensor '" + name + "'");
        }
        return info;
    }

    // ----------------------------------------------------------------------------------------------
    // tensor data

    /** The raw bytes of a tensor, little-endian, read-only. */
    public ByteBuffer rawData(String name) {
        TensorInfo info = tensor(name);
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + info.byteSize() + " bytes, more than one buffer holds");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, info.offset(), info.byteSize())
                    .asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map tensor '" + name + "' of " + path, e);
        }
    }

    /** A tensor dequantized to float32, in file order ({@code dims[0]} fastest, i.e. row-major {@link TensorInfo#shape()}). */
    public float[] dequantize(String name) {
        TensorInfo info = tensor(name);
        if (!info.type().canDequantize()) {
            throw new UnsupportedOperationException("tensor '" + name + "' of " + path + " is " + info.type()
                    + ", which this engine cannot dequantize; supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,"
                    + " Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K");
        }
        float[] out = new float[Math.toIntExact(info.elementCount())];
        info.type().dequantize(rawData(name), 0, out, 0, out.length);
        return out;
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
        return "GgufFile[" + path + ", v" + version + ", " + metadata.size() + " metadata, " + tensors.size() + " tensors]";
    }
}
