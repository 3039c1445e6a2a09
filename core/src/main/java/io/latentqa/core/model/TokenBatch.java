package io.latentqa.core.model;

import java.util.Arrays;
import java.util.List;

/**
 * Token ids of a batch of sequences of different lengths, laid out LEFT-padded to the longest row:
 * row {@code b} occupies columns {@code [pad(b), length())} of the padded {@code (B, T)} grid, so the
 * last column is every row's last token. Padding is masked out of attention and each row's position
 * ids count from its own first real token.
 *
 * <p>Positions given to {@link RowPositions#at(int[][])} and {@link ResidualPatch} are indices into a
 * row's own tokens ({@code 0 ..rowLength(b)-1}), never padded columns.
 *
 * @param rows the token ids of each row (copied; each row non-empty)
 */
public record TokenBatch(int[][] rows) {

    /** Id written into padded cells; it is masked out, any valid id would do. */
    public static final int PAD_ID = 0;

    public TokenBatch {
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException("a token batch needs at least one row");
        }
        int[][] copy = new int[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            if (rows[b] == null || rows[b].length == 0) {
                throw new IllegalArgumentException("row " + b + " of the token batch is empty; every row needs a token");
            }
            copy[b] = rows[b].clone();
        }
        rows = copy;
    }

    /** A batch of the given rows. */
    public static TokenBatch of(int[]... rows) {
        return new TokenBatch(rows);
    }

    /** A batch of the given rows. */
    public static TokenBatch of(List<int[]> rows) {
        return new TokenBatch(rows.toArray(new int[0][]));
    }

    /** B, the number of rows. */
    public int size() {
        return rows.length;
    }

    /** T, the padded length (the longest row). */
    public int length() {
        int max = 0;
        for (int[] row : rows) {
            max = Math.max(max, row.length);
        }
        return max;
    }

    /** Number of real tokens in row {@code b}. */
    public int rowLength(int b) {
        return rows[b].length;
    }

    /** Number of padding columns in front of row {@code b}. */
    public int pad(int b) {
        return length() - rows[b].length;
    }

    /** The pads of all rows. */
    public int[] pads() {
        int length = length();
        int[] pads = new int[rows.length];
        for (int b = 0; b < rows.length; b++) {
            pads[b] = length - rows[b].length;
        }
        return pads;
    }

    /** True when every row has the same length (no padding). */
    public boolean isRectangular() {
        for (int[] row : rows) {
            if (row.length != rows[0].length) {
                return false;
            }
        }
        return true;
    }

    /** The token ids of row {@code b} (a copy). */
    public int[] row(int b) {
        return rows[b].clone();
    }

    /** The left-padded grid, row-major {@code (B, T)}, as the int64 ids an embedding lookup takes. */
    public long[] paddedIds() {
        int length = length();
        long[] ids = new long[rows.length * length];
        for (int b = 0; b < rows.length; b++) {
            int pad = length - rows[b].length;
            Arrays.fill(ids, b * length, b * length + pad, PAD_ID);
            for (int t = 0; t < rows[b].length; t++) {
                ids[b * length + pad + t] = rows[b][t];
            }
        }
        return ids;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenBatch that && Arrays.deepEquals(rows, that.rows);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(rows);
    }

    @Override
    public String toString() {
        return "TokenBatch[B=" + rows.length + ", T=" + length() + "]";
    }
}
