package io.latentqa.core.model;

import java.util.Arrays;

/**
 * Which token positions of each row a forward call returns logits or residuals for. The output head
 * is most of the cost of a small model, so ask only for the positions that are sampled or carry a
 * loss.
 *
 * <p>Result shapes (X = vocabulary for logits, dim for residuals):
 * <ul>
 *   <li>{@link Kind#NONE}: nothing (for logits: the forward may stop after the last layer it reads);</li>
 *   <li>{@link Kind#LAST}: each row's last token, {@code (B, X)};</li>
 *   <li>{@link Kind#ALL}: every column of the left-padded grid, {@code (B, T, X)}; row {@code b}'s
 *       real tokens are columns {@code [pad(b), T)}, the padded columns hold garbage;</li>
 *   <li>{@link Kind#AT}: explicit positions per row, indices into the row's own tokens
 *       ({@code 0} = its first real token), returned as {@code (N, X)} with
 *       {@code N = sum of perRow[b].length}, row 0's positions first, each row in the order given.</li>
 * </ul>
 * With a KV cache, positions refer to the tokens of the current call only.
 *
 * @param kind   which form
 * @param perRow for {@link Kind#AT}: the positions of each row (copied); null otherwise
 */
public record RowPositions(Kind kind, int[][] perRow) {

    /** The four forms. */
    public enum Kind { NONE, LAST, ALL, AT }

    private static final RowPositions NONE = new RowPositions(Kind.NONE, null);
    private static final RowPositions LAST = new RowPositions(Kind.LAST, null);
    private static final RowPositions ALL = new RowPositions(Kind.ALL, null);

    public RowPositions {
        if (kind == null) {
            throw new IllegalArgumentException("row positions need a kind");
        }
        if ((kind == Kind.AT) != (perRow != null)) {
            throw new IllegalArgumentException("row positions " + kind + ": per-row positions are given for AT and only for AT");
        }
        if (perRow != null) {
            int[][] copy = new int[perRow.length][];
            for (int b = 0; b < perRow.length; b++) {
                copy[b] = perRow[b] == null ? new int[0] : perRow[b].clone();
            }
            perRow = copy;
        }
    }

    /** No positions. */
    public static RowPositions none() {
        return NONE;
    }

    /** The last token of each row, {@code (B, X)}. */
    public static RowPositions last() {
        return LAST;
    }

    /** Every column of the padded grid, {@code (B, T, X)}. */
    public static RowPositions all() {
        return ALL;
    }

    /**
     * Explicit positions, {@code perRow[b]} being indices into row {@code b}'s own tokens; a row may
     * have none. Result {@code (N, X)}.
     */
    public static RowPositions at(int[][] perRow) {
        return new RowPositions(Kind.AT, perRow);
    }

    /** True for {@link Kind#NONE}. */
    public boolean isNone() {
        return kind == Kind.NONE;
    }

    /** Positions of row {@code b} for {@link Kind#AT} (a copy). */
    public int[] row(int b) {
        return perRow[b].clone();
    }

    /**
     * Flat indices into the {@code (B * T)} rows of a {@code (B, T, X)} tensor for {@link Kind#LAST}
     * and {@link Kind#AT}, checked against the batch.
     *
     * @throws IllegalArgumentException naming the row and position that lies outside its row
     */
    public long[] flatIndices(TokenBatch batch) {
        int rows = batch.size();
        int length = batch.length();
        if (kind == Kind.LAST) {
            long[] index = new long[rows];
            for (int b = 0; b < rows; b++) {
                index[b] = (long) b * length + length - 1;
            }
            return index;
        }
        if (kind != Kind.AT) {
            throw new IllegalStateException("flat indices exist only for LAST and AT, not " + kind);
        }
        if (perRow.length != rows) {
            throw new IllegalArgumentException("positions are given for " + perRow.length + " rows but the batch has " + rows);
        }
        int n = 0;
        for (int[] row : perRow) {
            n += row.length;
        }
        long[] index = new long[n];
        int i = 0;
        for (int b = 0; b < rows; b++) {
            int pad = batch.pad(b);
            for (int p : perRow[b]) {
                if (p < 0 || p >= batch.rowLength(b)) {
                    throw new IllegalArgumentException("position " + p + " of row " + b + " is outside the row's "
                            + batch.rowLength(b) + " tokens (positions index a row's own tokens, from 0)");
                }
                index[i++] = (long) b * length + pad + p;
            }
        }
        return index;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RowPositions that && kind == that.kind && Arrays.deepEquals(perRow, that.perRow);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + Arrays.deepHashCode(perRow);
    }

    @Override
    public String toString() {
        return kind == Kind.AT ? "RowPositions[AT " + Arrays.deepToString(perRow) + "]" : "RowPositions[" + kind + "]";
    }
}
