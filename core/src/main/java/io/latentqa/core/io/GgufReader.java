package io.latentqa.core.io;

import io.latentqa.core.io.GgufFile.ValueType;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Sequential little-endian reads of a GGUF header, with errors that say what was being read. */
final class GgufReader {

    private final ByteBuffer buffer;
    private final Path path;
    private final Map<String, ValueType> arrayElementTypes;

    /** @param arrayElementTypes filled with the element type of every array read */
    GgufReader(ByteBuffer buffer, Path path, Map<String, ValueType> arrayElementTypes) {
        this.buffer = buffer;
        this.path = path;
        this.arrayElementTypes = arrayElementTypes;
    }

    long position() {
        return buffer.position();
    }

    int i32(String what) {
        try {
            return buffer.getInt();
        } catch (BufferUnderflowException e) {
            throw truncated(what);
        }
    }

    long u64(String what) {
        try {
            return buffer.getLong();
        } catch (BufferUnderflowException e) {
            throw truncated(what);
        }
    }

    String string(String what) {
        long length = u64(what + " length");
        if (length < 0) {
            throw new IllegalArgumentException(path + ": " + what + " has impossible length " + length);
        }
        if (length > buffer.remaining()) {
            throw truncated(what + " (" + length + " bytes)");
        }
        byte[] bytes = new byte[(int) length];
        buffer.get(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // token pieces may be partial UTF-8 in some vocabularies: keep them, replacing bad bytes
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    Object value(ValueType type, String key) {
        try {
            return switch (type) {
                case UINT8 -> buffer.get() & 0xFF;
                case INT8 -> (int) buffer.get();
                case UINT16 -> buffer.getShort() & 0xFFFF;
                case INT16 -> (int) buffer.getShort();
                case UINT32 -> buffer.getInt() & 0xFFFFFFFFL;
                case INT32 -> buffer.getInt();
                case FLOAT32 -> buffer.getFloat();
                case BOOL -> bool(buffer.get(), key);
                case STRING -> string(key);
                case UINT64, INT64 -> buffer.getLong();
                case FLOAT64 -> buffer.getDouble();
                case ARRAY -> array(key);
            };
        } catch (BufferUnderflowException e) {
            throw truncated("metadata '" + key + "'");
        }
    }

    private boolean bool(byte b, String key) {
        if (b != 0 && b != 1) {
            throw new IllegalArgumentException(path + ": metadata '" + key + "' is a bool with value " + b);
        }
        return b == 1;
    }

    private Object array(String key) {
        ValueType element = ValueType.fromId(i32(key + " element type"), key);
        long count = u64(key + " element count");
        if (count < 0) {
            throw new IllegalArgumentException(path + ": metadata array '" + key + "' has impossible length " + count);
        }
        if (count > buffer.remaining()) {
            throw truncated("metadata array '" + key + "' of " + count + " elements");
        }
        int n = (int) count;
        arrayElementTypes.put(key, element);
        switch (element) {
            case UINT8, INT8 -> {
                byte[] out = new byte[n];
                buffer.get(out);
                return out;
            }
            case UINT16, INT16 -> {
                short[] out = new short[n];
                buffer.asShortBuffer().get(out);
                buffer.position(buffer.position() + 2 * n);
                return out;
            }
            case UINT32, INT32 -> {
                int[] out = new int[n];
                buffer.asIntBuffer().get(out);
                buffer.position(buffer.position() + 4 * n);
                return out;
            }
            case UINT64, INT64 -> {
                long[] out = new long[n];
                buffer.asLongBuffer().get(out);
                buffer.position(buffer.position() + 8 * n);
                return out;
            }
            case FLOAT32 -> {
                float[] out = new float[n];
                buffer.asFloatBuffer().get(out);
                buffer.position(buffer.position() + 4 * n);
                return out;
            }
            case FLOAT64 -> {
                double[] out = new double[n];
                buffer.asDoubleBuffer().get(out);
                buffer.position(buffer.position() + 8 * n);
                return out;
            }
            case BOOL -> {
                boolean[] out = new boolean[n];
                for (int i = 0; i < n; i++) {
                    out[i] = bool(buffer.get(), key);
                }
                return out;
            }
            case STRING -> {
                String[] out = new String[n];
                for (int i = 0; i < n; i++) {
                    out[i] = string(key + "[" + i + "]");
                }
                return out;
            }
            case ARRAY -> {
                Object[] out = new Object[n];
                for (int i = 0; i < n; i++) {
                    out[i] = array(key + "[" + i + "]");
                }
                return out;
            }
            default -> throw new IllegalStateException(element.name());
        }
    }

    private IllegalArgumentException truncated(String what) {
        return new IllegalArgumentException(path + " ends while reading " + what + " (truncated file?)");
    }
}
