package io.latentqa.core.tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Python's {@code json.dumps(x, ensure_ascii=False, indent=..., sort_keys=...)} output, for chat templates. */
final class PythonJson {

    private PythonJson() {
    }

    static String dumps(Object value, Integer indent, boolean sortKeys) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, sortKeys, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, Integer indent, boolean sortKeys, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d)) {
                out.append("NaN");
            } else if (Double.isInfinite(d)) {
                out.append(d > 0 ? "Infinity" : "-Infinity");
            } else if (d == Math.rint(d) && Math.abs(d) < 1e16) {
                out.append((long) d).append(".0");
            } else {
                out.append(value instanceof Float f ? Float.toString(f) : Double.toString(d));
            }
        } else if (value instanceof Number n) {
            out.append(n);
        } else if (value instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (sortKeys) {
                entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            }
            if (entries.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    out.append(indent == null ? ", " : ",");
                }
                newline(out, indent, depth + 1);
                writeString(out, String.valueOf(entries.get(i).getKey()));
                out.append(": ");
                write(out, entries.get(i).getValue(), indent, sortKeys, depth + 1);
            }
            newline(out, indent, depth);
            out.append('}');
        } else if (value instanceof Collection<?> || value instanceof Object[]) {
            Collection<?> items = value instanceof Collection<?> c ? c : List.of((Object[]) value);
            if (items.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            int i = 0;
            for (Object item : items) {
                if (i++ > 0) {
                    out.append(indent == null ? ", " : ",");
                }
                newline(out, indent, depth + 1);
                write(out, item, indent, sortKeys, depth + 1);
            }
            newline(out, indent, depth);
            out.append(']');
        } else {
            writeString(out, value.toString());
        }
    }

    private static void newline(StringBuilder out, Integer indent, int depth) {
        if (indent != null) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
