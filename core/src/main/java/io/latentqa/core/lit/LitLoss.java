package io.latentqa.core.lit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.ForwardResult;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.ResidualPatch;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The decoder's loss on LatentQA write inputs (method doc §2.6): mean token cross-entropy over the
 * label positions with the causal shift (the logits at position t predict the label at t+1). Logits are
 * computed only at the N positions that carry a loss. Batched over left-padded rows; gives the per-batch
 * mean over all loss tokens (the reference's micro-batch loss, used by training) and the per-example
 * means (scoring, steering with batch 1).
 *
 * <p>Dimension letters: B examples, N loss tokens over the whole batch, V vocabulary, d d_model.
 * Differentiable under a DJL gradient collector with respect to LoRA weights and the patch vectors.
 */
public final class LitLoss {

    private LitLoss() {
    }

    /**
     * Where the loss is taken in each row, from labels: position t of row b carries a loss when
     * {@code labels[b][t+1] != IGNORE}, and its target is that label.
     *
     * @param positions per row, the logit positions (indices into the row's own tokens), ascending
     * @param targetIds (N) the target id of each loss token, rows in order
     * @param counts    (B) loss tokens per row, each at least 1
     */
    public record Targets(int[][] positions, long[] targetIds, int[] counts) {

        /** N, the loss tokens of the batch. */
        public int total() {
            return targetIds.length;
        }

        /** The logit positions as a forward request wants them. */
        public RowPositions logitPositions() {
            return RowPositions.at(positions);
        }
    }

    /**
     * Losses of one batch; arrays belong to the manager given to the computation.
     *
     * @param batchLoss     () mean negative log-likelihood over all N loss tokens
     * @param exampleLosses (B) mean negative log-likelihood per example
     * @param tokenLogProbs (N) log-probability of each target token, rows in order
     * @param targets       where the loss was taken
     */
    public record Result(NDArray batchLoss, NDArray exampleLosses, NDArray tokenLogProbs, Targets targets) {
    }

    /**
     * Loss positions and targets from labels (with the causal shift).
     *
     * @throws IllegalArgumentException if a row has no loss token
     */
    public static Targets targets(List<int[]> labels) {
        int[][] positions = new int[labels.size()][];
        int[] counts = new int[labels.size()];
        List<Long> targets = new ArrayList<>();
        for (int b = 0; b < labels.size(); b++) {
            int[] row = labels.get(b);
            int count = 0;
            int[] rowPositions = new int[row.length];
            for (int t = 0; t + 1 < row.length; t++) {
                if (row[t + 1] != LitWrite.IGNORE) {
                    rowPositions[count++] = t;
                    targets.add((long) row[t + 1]);
                }
            }
            if (count == 0) {
                throw new IllegalArgumentException("row " + b + " has no loss token after position 0 (labels are all "
                        + LitWrite.IGNORE + ")");
            }
            positions[b] = Arrays.copyOf(rowPositions, count);
            counts[b] = count;
        }
        return new Targets(positions, targets.stream().mapToLong(Long::longValue).toArray(), counts);
    }

    /** {@link #targets(List)} of the chosen labels of write inputs. */
    public static Targets targets(List<LitWrite> writes, LabelKind kind) {
        return targets(writes.stream().map(w -> w.labels(kind)).toList());
    }

    /**
     * Log-probability of each target.
     *
     * @param logits (N, V) at {@link Targets#logitPositions()}
     * @return (N)
     */
    public static NDArray tokenLogProbs(NDArray logits, Targets targets) {
        long n = targets.total();
        if (logits.getShape().dimension() != 2 || logits.getShape().get(0) != n) {
            throw new IllegalArgumentException("logits must be (N, V) with N = " + n + " loss tokens, got " + logits.getShape());
        }
        // duplicate: gather keeps the index for backward, and DJL's create only wraps a Java buffer
        // that a garbage collection frees once the handle is closed (see ActivationHook.select)
        NDArray index = logits.getManager().create(targets.targetIds(), new Shape(n, 1)).duplicate(); // (N, 1) int64
        return logits.logSoftmax(-1).gather(index, 1).reshape(n);                                     // (N)
    }

    /** Losses from logits at the target positions. */
    public static Result compute(NDArray logits, Targets targets) {
        NDArray logProbs = tokenLogProbs(logits, targets); // (N)
        return new Result(logProbs.mean().neg(), exampleLosses(logProbs, targets), logProbs, targets);
    }

    /**
     * Per-example mean negative log-likelihood.
     *
     * @param tokenLogProbs (N)
     * @return (B)
     */
    public static NDArray exampleLosses(NDArray tokenLogProbs, Targets targets) {
        int rows = targets.counts().length;
        int n = targets.total();
        // (B, N) averaging matrix: row b holds 1/count_b over its own loss tokens
        float[] weights = new float[rows * n];
        int i = 0;
        for (int b = 0; b < rows; b++) {
            for (int k = 0; k < targets.counts()[b]; k++, i++) {
                weights[b * n + i] = 1f / targets.counts()[b];
            }
        }
        // a copy PyTorch owns: matMul keeps it for backward (see tokenLogProbs)
        NDArray average = tokenLogProbs.getManager().create(weights, new Shape(rows, n)).toType(tokenLogProbs.getDataType(), true);
        return average.matMul(tokenLogProbs.reshape(n, 1)).reshape(rows).neg();
    }

    /**
     * Runs the decoder over write inputs, optionally patching vectors after block {@code writeLayer} at the
     * placeholder positions (replace, method doc §3.2), and returns the losses.
     *
     * @param model      the model (base weights shared by target and decoder)
     * @param writes     the write inputs, one per row (each with labels)
     * @param vectors    (sum of n over rows, d) in the model's dtype, rows in order (what
     *                   {@link LitActivations#read} returns), or null to leave the placeholders as they are
     * @param writeLayer block after which the vectors replace the residual stream (0 in LIT)
     * @param kind       which labels carry the loss
     * @param adapter    the decoder adapter's name, or null for the base model
     * @param training   LoRA dropout on
     * @param manager    owner of the result arrays
     */
    public static Result evaluate(Llama model, List<LitWrite> writes, NDArray vectors, int writeLayer, LabelKind kind,
                                  String adapter, boolean training, NDManager manager) {
        Targets targets = targets(writes, kind);
        ForwardRequest.Builder request = ForwardRequest.builder()
                .setTokens(TokenBatch.of(writes.stream().map(LitWrite::ids).toList()))
                .optLogits(targets.logitPositions())
                .optAdapter(adapter)
                .optTraining(training);
        if (vectors != null) {
            int[][] placeholders = writes.stream().map(LitWrite::placeholderPositions).toArray(int[][]::new);
            request.optPatch(ResidualPatch.replace(writeLayer, placeholders, vectors));
        }
        ForwardResult result = model.forward(request.build(), manager);
        return compute(result.logits(), targets);
    }
}
