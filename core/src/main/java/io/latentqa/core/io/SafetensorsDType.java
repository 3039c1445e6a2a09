package io.latentqa.core.io;

/** Element types of the safetensors format, with their size in bytes. */
public enum SafetensorsDType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U64(8), U32(4), U16(2), U8(1), BOOL(1);

    private final int bytes;

    SafetensorsDType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The type named in a header ({@code "BF16"}); fails naming the supported ones. */
    public static SafetensorsDType parse(String name, String tensor) {
        for (SafetensorsDType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("tensor '" + tensor + "' has dtype " + name
                + ", which this reader does not support (supported: "
                + java.util.Arrays.toString(values()) + ")");
    }
}
