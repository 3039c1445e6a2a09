package io.latentqa.core.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small GGUF files byte by byte for tests (the writer mirrors the spec, not GgufFile). */
public final class GgufTestFiles {

    private final int version;
    private final int alignment;
    private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
    private int kvCount;
    private final List<Object[]> tensors = new ArrayList<>(); // name, dims, type id, data

    public GgufTestFiles(int version, int alignment) {
        this.version = version;
        this.alignment = alignment;
    }

    public static byte[] le(int bytes, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        byte[] out = new byte[bytes];
        System.arraycopy(b.array(), 0, out, 0, bytes);
        return out;
    }

    public static byte[] string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(8, utf8.length));
        out.writeBytes(utf8);
        return out.toByteArray();
    }

    /** A key with a type id and the already-encoded value bytes. */
    public GgufTestFiles kv(String key, int type, byte[] value) {
        kv.writeBytes(string(key));
        kv.writeBytes(le(4, type));
        kv.writeBytes(value);
        kvCount++;
        return this;
    }

    public GgufTestFiles kvString(String key, String value) {
        return kv(key, 8, string(value));
    }

    public GgufTestFiles kvU32(String key, long value) {
        return kv(key, 4, le(4, value));
    }

    public GgufTestFiles kvF32(String key, float value) {
        return kv(key, 6, le(4, Float.floatToIntBits(value)));
    }

    /** An array: element type, count, then the encoded elements. */
    public static byte[] array(int elementType, int count, byte[]... elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(4, elementType));
        out.writeBytes(le(8, count));
        for (byte[] e : elements) {
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    public GgufTestFiles kvStrings(String key, String... values) {
        byte[][] encoded = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            encoded[i] = string(values[i]);
        }
        return kv(key, 9, array(8, values.length, encoded));
    }

    public GgufTestFiles kvInts(String key, int... values) {
        byte[][] encoded = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            encoded[i] = le(4, values[i]);
        }
        return kv(key, 9, array(5, values.length, encoded));
    }

    public GgufTestFiles kvFloats(String key, float... values) {
        byte[][] encoded = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            encoded[i] = le(4, Float.floatToIntBits(values[i]));
        }
        return kv(key, 9, array(6, values.length, encoded));
    }

    public GgufTestFiles kvBool(String key, boolean value) {
        return kv(key, 7, new byte[] {(byte) (value ? 1 : 0)});
    }

    public GgufTestFiles tensor(String name, long[] dims, GgmlType type, byte[] data) {
        tensors.add(new Object[] {name, dims, type.id(), data});
        return this;
    }

    /** F32 data for a tensor. */
    public static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'G', 'G', 'U', 'F'});
        out.writeBytes(le(4, version));
        out.writeBytes(le(8, tensors.size()));
        out.writeBytes(le(8, kvCount));
        out.writeBytes(kv.toByteArray());
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Object[] t : tensors) {
            long[] dims = (long[]) t[1];
            out.writeBytes(string((String) t[0]));
            out.writeBytes(le(4, dims.length));
            for (long d : dims) {
                out.writeBytes(le(8, d));
            }
            out.writeBytes(le(4, (Integer) t[2]));
            out.writeBytes(le(8, offset));
            offsets.add(offset);
            offset += ((byte[]) t[3]).length;
            offset = (offset + alignment - 1) / alignment * alignment;
        }
        pad(out);
        for (Object[] t : tensors) {
            out.writeBytes((byte[]) t[3]);
            pad(out);
        }
        return out.toByteArray();
    }

    private void pad(ByteArrayOutputStream out) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
    }

    public Path write(Path file) {
        try {
            Files.write(file, bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
