package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;

import java.util.Arrays;

/**
 * An edit of the residual stream after one block at chosen positions of each row, applied during
 * the forward pass before later blocks (and any read of the same layer) see it.
 *
 * <ul>
 *   <li>{@link Mode#REPLACE}: {@code h <- v}, as Latent Interpretation Tuning writes activations into
 *       the decoder (method doc §3.2);</li>
 *   <li>{@link Mode#ADD_NORM_MATCHED}: {@code h <- h + |h| * v / |v|}, as Activation Oracles inject
 *       (method doc §11).</li>
 * </ul>
 * The edit is differentiable with respect to {@code vectors} (set {@code setRequiresGradient(true)}
 * on them inside a gradient collector) and, for the additive mode, to the residual itself. With a KV
 * cache, patches belong to the prefill call only; the cached keys and values of later blocks at
 * those positions already carry the edit.
 *
 * @param layer     block index; the stream after this block is edited
 * @param mode      replace or add norm-matched
 * @param positions per row, indices into the row's own tokens (distinct within a row); rows may be empty
 * @param vectors   (N, dim) in the model's dtype, N = total number of positions, rows in order
 */
public record ResidualPatch(int layer, Mode mode, int[][] positions, NDArray vectors) {

    /** How the vectors are written. */
    public enum Mode { REPLACE, ADD_NORM_MATCHED }

    public ResidualPatch {
        if (mode == null || positions == null || vectors == null) {
            throw new IllegalArgumentException("a residual patch needs a mode, positions and vectors");
        }
        int[][] copy = new int[positions.length][];
        int count = 0;
        for (int b = 0; b < positions.length; b++) {
            copy[b] = positions[b] == null ? new int[0] : positions[b].clone();
            count += copy[b].length;
            if (Arrays.stream(copy[b]).distinct().count() != copy[b].length) {
                throw new IllegalArgumentException("row " + b + " of the patch at layer " + layer
                        + " repeats a position: " + Arrays.toString(copy[b]));
            }
        }
        positions = copy;
        if (vectors.getShape().dimension() != 2 || vectors.getShape().get(0) != count) {
            throw new IllegalArgumentException("patch at layer " + layer + " has " + count + " positions, so vectors must be ("
                    + count + ", dim), got " + vectors.getShape());
        }
    }

    /** Replace the residual after block {@code layer} with {@code vectors} (LIT). */
    public static ResidualPatch replace(int layer, int[][] positions, NDArray vectors) {
        return new ResidualPatch(layer, Mode.REPLACE, positions, vectors);
    }

    /** Add {@code |h| * v / |v|} to the residual after block {@code layer} (Activation Oracles). */
    public static ResidualPatch addNormMatched(int layer, int[][] positions, NDArray vectors) {
        return new ResidualPatch(layer, Mode.ADD_NORM_MATCHED, positions, vectors);
    }

    /** The positions as a {@link RowPositions#at} selection. */
    public RowPositions rowPositions() {
        return RowPositions.at(positions);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ResidualPatch that && layer == that.layer && mode == that.mode
                && Arrays.deepEquals(positions, that.positions) && vectors == that.vectors;
    }

    @Override
    public int hashCode() {
        return (31 * layer + mode.hashCode()) * 31 + Arrays.deepHashCode(positions);
    }

    @Override
    public String toString() {
        return "ResidualPatch[layer=" + layer + ", mode=" + mode + ", positions=" + Arrays.deepToString(positions)
                + ", vectors=" + vectors.getShape() + "]";
    }
}
