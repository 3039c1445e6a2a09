package io.latentqa.core.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file (https://github.com/huggingface/safetensors), read in file order: an 8-byte
 * little-endian header length N, N bytes of JSON header, then the raw little-endian tensor data.
 * The header maps each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}
 * ({@code [begin, end)} relative to the start of the data); the optional {@code __metadata__} entry
 * maps strings to strings.
 *
 * <p>The header is validated strictly when the file is opened (every tensor inside the file, the
 * data covered exactly once with no holes or overlaps, sizes equal to shape × dtype), so a broken
 * file fails at open with the name of the offending tensor. Tensor data is memory-mapped and read one
 * tensor at a time. BF16 and F16 are converted to float32 here; DJL is never involved (its BF16 path
 * aborts the JVM).
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The spec caps the header at 100 MB. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** One tensor's header entry; {@code begin}/{@code end} are absolute offsets in the file. */
    public record TensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {

        /** Number of elements (1 for a scalar of shape []). */
        public long elementCount() {
            long count = 1;
            for (long dim : shape) {
                count = Math.multiplyExact(count, dim);
            }
            return count;
        }

        public long byteSize() {
            return end - begin;
        }
    }

    private final String source;
    private final FileChannel channel; // null for an in-memory file
    private final ByteBuffer bytes;    // the whole in-memory file, or null
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors; // in data order

    private SafetensorsFile(String source, FileChannel channel, ByteBuffer bytes, long fileSize) throws IOException {
        this.source = source;
        this.channel = channel;
        this.bytes = bytes;
        if (fileSize < 8) {
            throw new IllegalArgumentException(source + ": a safetensors file starts with an 8-byte header length, but it has only "
                    + fileSize + " bytes");
        }
        long headerLength = region(0, 8).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > fileSize - 8) {
            throw new IllegalArgumentException(source + ": header length " + headerLength + " is impossible for a file of "
                    + fileSize + " bytes (is this a safetensors file?)");
        }
        ByteBuffer headerBytes = region(8, (int) headerLength);
        byte[] raw = new byte[(int) headerLength];
        headerBytes.get(raw);
        long dataStart = 8 + headerLength;
        Map<String, String> meta = new LinkedHashMap<>();
        List<TensorInfo> infos = parseHeader(source, new String(raw, StandardCharsets.UTF_8), dataStart, fileSize, meta);
        this.metadata = Collections.unmodifiableMap(meta);
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo info : infos) {
            byName.put(info.name(), info);
        }
        this.tensors = Collections.unmodifiableMap(byName);
    }

    /** Opens and validates a file; tensor data stays on disk, mapped on demand. */
    public static SafetensorsFile open(Path path) {
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            try {
                return new SafetensorsFile(path.toString(), channel, null, channel.size());
            } catch (RuntimeException | IOException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read safetensors file " + path, e);
        }
    }

    /** Parses and validates an in-memory file (for example the output of {@link SafetensorsWriter#toBytes()}). */
    public static SafetensorsFile of(byte[] content) {
        try {
            return new SafetensorsFile("<bytes>", null, ByteBuffer.wrap(content), content.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen without a channel
        }
    }

    // ----------------------------------------------------------------------------------------------
    // header

    private static List<TensorInfo> parseHeader(String source, String json, long dataStart, long fileSize,
                                                Map<String, String> metadataOut) {
        JsonNode root;
        try {
            root = JSON.readTree(json.trim().isEmpty() ? "{}" : json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": the header is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": the header must be a JSON object");
        }
        List<TensorInfo> infos = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String name = entry.getKey();
            JsonNode node = entry.getValue();
            if (name.equals("__metadata__")) {
                if (!node.isObject()) {
                    throw new IllegalArgumentException(source + ": __metadata__ must be an object of strings");
                }
                for (Map.Entry<String, JsonNode> kv : node.properties()) {
                    if (!kv.getValue().isTextual()) {
                        throw new IllegalArgumentException(source + ": __metadata__ value of '" + kv.getKey()
                                + "' must be a string, found " + kv.getValue().getNodeType());
                    }
                    metadataOut.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            infos.add(parseTensor(source, name, node, dataStart));
        }
        // the data must be covered exactly: sorted by begin, each tensor starts where the previous ended
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = dataStart;
        for (TensorInfo info : sorted) {
            if (info.begin() < expected) {
                throw new IllegalArgumentException(source + ": tensor '" + info.name() + "' data_offsets ["
                        + (info.begin() - dataStart) + ", " + (info.end() - dataStart) + ") overlap the previous tensor, which ends at "
                        + (expected - dataStart));
            }
            if (info.begin() > expected) {
                throw new IllegalArgumentException(source + ": a hole of " + (info.begin() - expected)
                        + " bytes before tensor '" + info.name() + "' (data_offsets begin " + (info.begin() - dataStart)
                        + ", expected " + (expected - dataStart) + ")");
            }
            if (info.end() > fileSize) {
                throw new IllegalArgumentException(source + ": tensor '" + info.name() + "' ends at data offset "
                        + (info.end() - dataStart) + ", past the end of the data (" + (fileSize - dataStart) + " bytes)");
            }
            expected = info.end();
        }
        if (expected != fileSize) {
            throw new IllegalArgumentException(source + ": the tensors cover " + (expected - dataStart)
                    + " bytes of data but the file has " + (fileSize - dataStart) + " (trailing bytes or truncated header)");
        }
        return sorted;
    }

    private static TensorInfo parseTensor(String source, String name, JsonNode node, long dataStart) {
        String where = source + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object with dtype, shape, data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual() || shapeNode == null || !shapeNode.isArray()
                || offsetsNode == null || !offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw new IllegalArgumentException(where + " needs \"dtype\" (string), \"shape\" (array) and "
                    + "\"data_offsets\" ([begin, end]); found " + node);
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String key = field.getKey();
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new IllegalArgumentException(where + " has an unknown field '" + key + "'");
            }
        }
        SafetensorsDType dtype = SafetensorsDType.parse(dtypeNode.asText(), name);
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = shapeNode.get(i);
            if (!dim.canConvertToLong() || !dim.isIntegralNumber() || dim.asLong() < 0) {
                throw new IllegalArgumentException(where + " has an invalid shape " + shapeNode);
            }
            shape[i] = dim.asLong();
        }
        long[] offsets = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode offset = offsetsNode.get(i);
            if (!offset.isIntegralNumber() || !offset.canConvertToLong() || offset.asLong() < 0) {
                throw new IllegalArgumentException(where + " has invalid data_offsets " + offsetsNode);
            }
            offsets[i] = offset.asLong();
        }
        if (offsets[1] < offsets[0]) {
            throw new IllegalArgumentException(where + " has data_offsets " + offsetsNode + " with end before begin");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, dataStart + offsets[0], dataStart + offsets[1]);
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(info.elementCount(), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(where + " has a shape too large: " + shapeNode);
        }
        if (expectedBytes != info.byteSize()) {
            throw new IllegalArgumentException(where + " has shape " + Arrays.toString(shape) + " and dtype " + dtype
                    + " = " + expectedBytes + " bytes, but data_offsets " + offsetsNode + " span " + info.byteSize());
        }
        return info;
    }

    // ----------------------------------------------------------------------------------------------
    // access

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in data order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry of a tensor; fails naming the file when absent. */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(source + " has no tensor '" + name + "' (it has " + tensors.size() + " tensors)");
        }
        return info;
    }

    public long[] shape(String name) {
        return info(name).shape().clone();
    }

    public SafetensorsDType dtype(String name) {
        return info(name).dtype();
    }

    /** The raw little-endian bytes of a tensor, read-only, positioned at 0. */
    public ByteBuffer raw(String name) {
        TensorInfo info = info(name);
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + info.byteSize() + " bytes, more than one buffer holds");
        }
        return region(info.begin(), (int) info.byteSize());
    }

    /**
     * A floating-point tensor as float32, row-major in {@link #shape} order. F32 is copied, F16 and
     * BF16 converted exactly, F64 rounded to float32.
     */
    public float[] readFloats(String name) {
        TensorInfo info = info(name);
        ByteBuffer buffer = raw(name);
        int n = Math.toIntExact(info.elementCount());
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> buffer.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float16.halfToFloat(buffer.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float16.bf16ToFloat(buffer.getShort(2 * i));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) buffer.getDouble(8 * i);
                }
            }
            default -> throw new IllegalArgumentException("tensor '" + name + "' has dtype " + info.dtype()
                    + "; readFloats needs F32, F16, BF16 or F64 (use readInts for integers)");
        }
        return out;
    }

    /** An integer tensor (I32, I64 narrowed with a range check, I16, I8, U8) as int[]. */
    public int[] readInts(String name) {
        TensorInfo info = info(name);
        ByteBuffer buffer = raw(name);
        int n = Math.toIntExact(info.elementCount());
        int[] out = new int[n];
        switch (info.dtype()) {
            case I32 -> buffer.asIntBuffer().get(out);
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    long value = buffer.getLong(8 * i);
                    if (value != (int) value) {
                        throw new IllegalArgumentException("tensor '" + name + "' element " + i + " = " + value
                                + " does not fit in an int");
                    }
                    out[i] = (int) value;
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = buffer.getShort(2 * i);
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = buffer.get(i);
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = buffer.get(i) & 0xFF;
                }
            }
            default -> throw new IllegalArgumentException("tensor '" + name + "' has dtype " + info.dtype()
                    + "; readInts needs I32, I64, I16, I8, U8 or BOOL");
        }
        return out;
    }

    private ByteBuffer region(long offset, int length) {
        ByteBuffer buffer;
        if (bytes != null) {
            buffer = bytes.duplicate().position((int) offset).limit((int) offset + length).slice();
        } else {
            try {
                buffer = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot map " + length + " bytes at " + offset + " of " + source, e);
            }
        }
        return buffer.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + source + ", " + tensors.size() + " tensors]";
    }
}
