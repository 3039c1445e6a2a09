package io.latentqa.core.lit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;

import java.util.List;

/**
 * The target side of LIT (method doc §3.1, §12): runs the target over read inputs up to the read block
 * and returns the shown vectors, ready to patch into the decoder.
 */
public final class LitActivations {

    private LitActivations() {
    }

    /**
     * The residual stream after block {@code readLayer} at each read's {@link LitRead#vectorIndex()}.
     * The forward stops after {@code readLayer}. Under a gradient collector (steering) the result is
     * differentiable with respect to the target adapter.
     *
     * @param adapter the target-side adapter (steering) or null for the base model
     * @return (sum of n over reads, d), rows in order, each row's vectors in vector-index order; owned by
     *         {@code manager}
     */
    public static NDArray read(Llama model, List<LitRead> reads, int readLayer, String adapter, boolean training,
                               NDManager manager) {
        int[][] positions = reads.stream().map(LitRead::vectorIndex).toArray(int[][]::new);
        ForwardRequest request = ForwardRequest.builder()
                .setTokens(TokenBatch.of(reads.stream().map(LitRead::ids).toList()))
                .optRead(readLayer)
                .optReadPositions(RowPositions.at(positions))
                .optAdapter(adapter)
                .optTraining(training)
                .build();
        return model.forward(request, manager).residual(readLayer);
    }
}
