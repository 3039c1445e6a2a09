package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Reads and writes the residual stream between blocks. Both directions select rows of the
 * flattened {@code (B * T, dim)} stream by index, so gradients flow through reads, through the
 * written vectors and (for the additive mode) through the stream itself.
 *
 * <p>Dimension letters: B rows, T tokens of the call, N selected positions, dim d_model.
 */
public final class ActivationHook {

    private ActivationHook() {
    }

    /**
     * The residual stream at the chosen positions.
     *
     * @param x         (B, T, dim) the stream after some block
     * @param batch     the batch x was computed from (gives each row's padding)
     * @param positions ALL, LAST or AT
     * @return ALL: {@code x} itself, (B, T, dim); LAST: (B, dim); AT: (N, dim)
     */
    public static NDArray read(NDArray x, TokenBatch batch, RowPositions positions) {
        switch (positions.kind()) {
            case ALL:
                return x;
            case LAST:
            case AT:
                return select(x, positions.flatIndices(batch));
            default:
                throw new IllegalArgumentException("nothing to read for positions " + positions);
        }
    }

    /**
     * Applies a patch.
     *
     * @param x     (B, T, dim) the stream after block {@code patch.layer()}
     * @param batch the batch x was computed from
     * @param patch what to write where
     * @return (B, T, dim) the edited stream (a new array; x is unchanged)
     */
    public static NDArray write(NDArray x, TokenBatch batch, ResidualPatch patch) {
        Shape shape = x.getShape();
        long dim = shape.get(2);
        NDArray vectors = patch.vectors();
        if (vectors.getShape().get(1) != dim || vectors.getDataType() != x.getDataType()) {
            throw new IllegalArgumentException("patch vectors must be (N, " + dim + ") " + x.getDataType()
                    + " like the residual stream, got " + vectors.getShape() + " " + vectors.getDataType());
        }
        long[] rows = patch.rowPositions().flatIndices(batch);
        if (rows.length == 0) {
            return x;
        }
        NDArray flat = x.reshape(-1, dim);                                  // (B * T, dim)
        NDArray values = patch.mode() == ResidualPatch.Mode.REPLACE
                ? vectors
                : addNormMatched(select(flat, rows), vectors);              // (N, dim)
        // scatter along axis 0 needs the row index repeated over dim: (N, dim)
        NDArray index = x.getManager().create(rows, new Shape(rows.length, 1)).repeat(1, dim);
        return flat.scatter(index, values, 0).reshape(shape);
    }

    /**
     * Activation Oracles' injection: {@code h + |h| * v / |v|}, norms over the last axis.
     *
     * @param h (N, dim) the stream at the chosen positions
     * @param v (N, dim) the vectors to inject
     * @return (N, dim)
     */
    public static NDArray addNormMatched(NDArray h, NDArray v) {
        NDArray hNorm = h.norm(new int[] {-1}, true); // (N, 1)
        NDArray vNorm = v.norm(new int[] {-1}, true); // (N, 1)
        return h.add(v.div(vNorm).mul(hNorm));
    }

    /**
     * Rows {@code index} of the flattened stream: (B, T, dim) or (B * T, dim) -> (N, dim).
     *
     * <p>The index tensor is copied into memory PyTorch owns. DJL's {@code create} wraps the Java
     * buffer without copying, and that buffer may be freed by a garbage collection once the forward has
     * closed its handle, while autograd still keeps the index for the backward pass.
     */
    static NDArray select(NDArray x, long[] index) {
        long dim = x.getShape().get(x.getShape().dimension() - 1);
        NDArray flat = x.reshape(-1, dim);
        NDArray rows = x.getManager().create(index).duplicate();
        return flat.get(new NDIndex("{}", rows));
    }
}
