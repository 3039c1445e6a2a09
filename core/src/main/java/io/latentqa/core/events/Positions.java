package io.latentqa.core.events;

import java.util.Arrays;

/**
 * Which token positions of a captured residual stream an activation event carries: the
 * {@code positions} metadata field of the event contract. Four forms, written exactly as in the
 * metadata:
 * <ul>
 *   <li>{@code all}: every position, {@code (T, d)};</li>
 *   <li>{@code last:K}: the last {@code min(K, T)} positions;</li>
 *   <li>{@code range:A:B}: positions {@code A <= t < B}, which must lie inside the sequence;</li>
 *   <li>{@code mean}: the mean over all {@code T} positions, one row {@code (1, d)}. The event's
 *       {@code token_ids} then lists the {@code T} ids that were averaged (the one exception to
 *       "one id per activation row"). Note that position 0 is the attention sink (norm about 100x the
 *       others in SmolLM2) and dominates a plain mean.</li>
 * </ul>
 * Dimension letters: T = tokens of the captured sequence, d = d_model.
 *
 * @param kind  the form
 * @param count K for {@code last:K}; 0 otherwise
 * @param start A for {@code range:A:B}; 0 otherwise
 * @param end   B for {@code range:A:B}; 0 otherwise
 */
public record Positions(Kind kind, int count, int start, int end) {

    /** The four forms of the {@code positions} field. */
    public enum Kind { ALL, LAST, RANGE, MEAN }

    public static final Positions ALL = new Positions(Kind.ALL, 0, 0, 0);
    public static final Positions MEAN = new Positions(Kind.MEAN, 0, 0, 0);

    public Positions {
        if (kind == null) {
            throw new IllegalArgumentException("positions kind must not be null");
        }
        if (kind == Kind.LAST && count <= 0) {
            throw new IllegalArgumentException("positions last:K needs K >= 1, got " + count);
        }
        if (kind == Kind.RANGE && (start < 0 || end <= start)) {
            throw new IllegalArgumentException("positions range:A:B needs 0 <= A < B, got range:" + start + ":" + end);
        }
        if (kind != Kind.LAST && count != 0 || kind != Kind.RANGE && (start != 0 || end != 0)) {
            throw new IllegalArgumentException("positions " + kind + " takes no count/start/end; use the factories");
        }
    }

    /** The last {@code k} positions (fewer if the sequence is shorter). */
    public static Positions last(int k) {
        return new Positions(Kind.LAST, k, 0, 0);
    }

    /** Positions {@code a <= t < b}. */
    public static Positions range(int a, int b) {
        return new Positions(Kind.RANGE, 0, a, b);
    }

    /**
     * Parses the metadata form: {@code all}, {@code last:K}, {@code range:A:B} or {@code mean}.
     *
     * @throws IllegalArgumentException naming the accepted forms when {@code text} is none of them
     */
    public static Positions parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("positions is missing; expected all, last:K, range:A:B or mean");
        }
        String[] parts = text.trim().split(":", -1);
        try {
            switch (parts[0]) {
                case "all":
                    if (parts.length == 1) {
                        return ALL;
                    }
                    break;
                case "mean":
                    if (parts.length == 1) {
                        return MEAN;
                    }
                    break;
                case "last":
                    if (parts.length == 2) {
                        return last(Integer.parseInt(parts[1]));
                    }
                    break;
                case "range":
                    if (parts.length == 3) {
                        return range(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
                    }
                    break;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("positions '" + text + "': K, A and B must be integers"
                    + " (expected all, last:K, range:A:B or mean)", e);
        }
        throw new IllegalArgumentException("positions '" + text + "' is not one of all, last:K, range:A:B, mean");
    }

    /** Number of activation rows this selection gives for a sequence of {@code tokens} positions. */
    public int rows(int tokens) {
        return switch (kind) {
            case ALL -> tokens;
            case LAST -> Math.min(count, tokens);
            case RANGE -> {
                checkRange(tokens);
                yield end - start;
            }
            case MEAN -> 1;
        };
    }

    /**
     * The selected sequence positions, in order; for {@code mean} all positions (those averaged).
     *
     * @throws IllegalArgumentException if a range reaches past the sequence
     */
    public int[] indices(int tokens) {
        return switch (kind) {
            case ALL, MEAN -> rangeArray(0, tokens);
            case LAST -> rangeArray(tokens - Math.min(count, tokens), tokens);
            case RANGE -> {
                checkRange(tokens);
                yield rangeArray(start, end);
            }
        };
    }

    /**
     * Turns a residual stream into the rows to publish.
     *
     * @param residual (T, d) row-major
     * @param tokens   T
     * @param dModel   d
     * @return (rows(T), d) row-major, a new array
     */
    public float[] select(float[] residual, int tokens, int dModel) {
        if (residual.length != (long) tokens * dModel) {
            throw new IllegalArgumentException("residual has " + residual.length + " floats, expected T*d = "
                    + tokens + "*" + dModel);
        }
        if (tokens == 0) {
            throw new IllegalArgumentException("cannot select positions of an empty sequence");
        }
        if (kind == Kind.MEAN) {
            double[] sum = new double[dModel]; // double: T rows of very different size (the sink)
            for (int t = 0; t < tokens; t++) {
                for (int i = 0; i < dModel; i++) {
                    sum[i] += residual[t * dModel + i];
                }
            }
            float[] mean = new float[dModel]; // (1, d)
            for (int i = 0; i < dModel; i++) {
                mean[i] = (float) (sum[i] / tokens);
            }
            return mean;
        }
        int[] index = indices(tokens);
        float[] out = new float[index.length * dModel]; // (rows, d)
        for (int r = 0; r < index.length; r++) {
            System.arraycopy(residual, index[r] * dModel, out, r * dModel, dModel);
        }
        return out;
    }

    /** The token ids that go with {@link #select}: the selected ids, or all ids for {@code mean}. */
    public int[] selectTokenIds(int[] ids) {
        int[] index = indices(ids.length);
        int[] out = new int[index.length];
        for (int r = 0; r < index.length; r++) {
            out[r] = ids[index[r]];
        }
        return out;
    }

    private void checkRange(int tokens) {
        if (end > tokens) {
            throw new IllegalArgumentException("positions range:" + start + ":" + end
                    + " reaches past the sequence of " + tokens + " tokens");
        }
    }

    private static int[] rangeArray(int from, int to) {
        int[] out = new int[to - from];
        Arrays.setAll(out, i -> from + i);
        return out;
    }

    /** The metadata form, e.g. {@code last:8}. */
    @Override
    public String toString() {
        return switch (kind) {
            case ALL -> "all";
            case MEAN -> "mean";
            case LAST -> "last:" + count;
            case RANGE -> "range:" + start + ":" + end;
        };
    }
}
