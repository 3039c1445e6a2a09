package io.latentqa.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes a safetensors file: F32, F16, BF16 (converted from float32 with round to nearest even) and
 * I32 tensors plus {@code __metadata__} strings.
 *
 * <p>Layout as the reference (Rust) implementation writes it: tensors sorted by dtype in its
 * descending order (U64, I64, F64, F32, U32, I32, BF16, F16, ...), then by name, so every tensor is
 * aligned to its element size; the JSON header lists
 * {@code __metadata__} first and then the tensors in data order, and is padded with spaces to a
 * multiple of 8 bytes. Float data may be given lazily ({@link Supplier}) so a converter can stream a
 * whole model to disk holding one tensor at a time.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The order in which the safetensors library lays out dtypes (its Dtype enum, descending). */
    private static final List<SafetensorsDType> DTYPE_ORDER = List.of(
            SafetensorsDType.U64, SafetensorsDType.I64, SafetensorsDType.F64, SafetensorsDType.F32,
            SafetensorsDType.U32, SafetensorsDType.I32, SafetensorsDType.BF16, SafetensorsDType.F16,
            SafetensorsDType.U16, SafetensorsDType.I16, SafetensorsDType.I8, SafetensorsDType.U8,
            SafetensorsDType.BOOL);

    private record Entry(String name, SafetensorsDType dtype, long[] shape, Supplier<float[]> floats, int[] ints) {

        long elementCount() {
            long count = 1;
            for (long dim : shape) {
                count = Math.multiplyExact(count, dim);
            }
            return count;
        }

        long byteSize() {
            return elementCount() * dtype.bytes();
        }
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** Adds a {@code __metadata__} string. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds all entries of a map to {@code __metadata__}. */
    public SafetensorsWriter metadata(Map<String, String> values) {
        metadata.putAll(values);
        return this;
    }

    /**
     * Adds a float tensor stored as {@code dtype} (F32, F16 or BF16).
     *
     * @param data row-major values, length = product of shape
     */
    public SafetensorsWriter putFloats(String name, SafetensorsDType dtype, long[] shape, float[] data) {
        checkLength(name, shape, data.length);
        return putFloats(name, dtype, shape, () -> data);
    }

    /** Adds a float tensor whose values are computed only when the file is written. */
    public SafetensorsWriter putFloats(String name, SafetensorsDType dtype, long[] shape, Supplier<float[]> data) {
        if (dtype != SafetensorsDType.F32 && dtype != SafetensorsDType.F16 && dtype != SafetensorsDType.BF16) {
            throw new IllegalArgumentException("tensor '" + name + "': float data can be written as F32, F16 or BF16, not " + dtype);
        }
        add(new Entry(name, dtype, shape.clone(), data, null));
        return this;
    }

    /** Adds an I32 tensor. */
    public SafetensorsWriter putInts(String name, long[] shape, int[] data) {
        checkLength(name, shape, data.length);
        add(new Entry(name, SafetensorsDType.I32, shape.clone(), null, data));
        return this;
    }

    private void add(Entry entry) {
        if (entry.name().equals("__metadata__")) {
            throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
        }
        for (long dim : entry.shape()) {
            if (dim < 0) {
                throw new IllegalArgumentException("tensor '" + entry.name() + "' has a negative dimension: " + Arrays.toString(entry.shape()));
            }
        }
        if (entries.putIfAbsent(entry.name(), entry) != null) {
            throw new IllegalArgumentException("tensor '" + entry.name() + "' was added twice");
        }
    }

    private static void checkLength(String name, long[] shape, int length) {
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        if (count != length) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape) + " = " + count
                    + " elements but " + length + " values were given");
        }
    }

    /** The whole file in memory. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the file (replacing an existing one). */
    public void write(Path path) {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    private void writeTo(OutputStream out) throws IOException {
        List<Entry> ordered = new ArrayList<>(entries.values());
        ordered.sort(Comparator.comparingInt((Entry e) -> DTYPE_ORDER.indexOf(e.dtype())).thenComparing(Entry::name));
        byte[] header = header(ordered);
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(length.array());
        out.write(header);
        for (Entry entry : ordered) {
            out.write(encode(entry));
        }
    }

    private byte[] header(List<Entry> ordered) throws JsonProcessingException {
        Map<String, Object> root = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            root.put("__metadata__", metadata);
        }
        long offset = 0;
        for (Entry entry : ordered) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", entry.dtype().name());
            info.put("shape", entry.shape());
            info.put("data_offsets", new long[] {offset, offset + entry.byteSize()});
            root.put(entry.name(), info);
            offset += entry.byteSize();
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static byte[] encode(Entry entry) {
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(entry.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        if (entry.ints() != null) {
            buffer.asIntBuffer().put(entry.ints());
            return buffer.array();
        }
        float[] data = entry.floats().get();
        if (data.length != entry.elementCount()) {
            throw new IllegalArgumentException("tensor '" + entry.name() + "' has shape " + Arrays.toString(entry.shape())
                    + " but its supplier gave " + data.length + " values");
        }
        switch (entry.dtype()) {
            case F32 -> buffer.asFloatBuffer().put(data);
            case F16 -> {
                for (int i = 0; i < data.length; i++) {
                    buffer.putShort(2 * i, Float16.floatToHalf(data[i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < data.length; i++) {
                    buffer.putShort(2 * i, Float16.floatToBf16(data[i]));
                }
            }
            default -> throw new IllegalStateException(entry.dtype().name());
        }
        return buffer.array();
    }

    @Override
    public String toString() {
        return "SafetensorsWriter[" + entries.size() + " tensors]";
    }
}
