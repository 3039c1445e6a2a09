package io.latentqa.core.lit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.KvCache;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.ResidualPatch;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;

import java.util.Arrays;
import java.util.List;

/**
 * Log-likelihood of several answers to one question about one read's activations (multiple choice),
 * with the shared prompt computed once. The write inputs of the answers differ only after the question:
 * the prompt (placeholders, patched vectors, question) runs as one row into a KV cache, the cache is
 * copied once per answer, and only the answers run as a batch over it. Same numbers as
 * {@link LitLoss#evaluate} with {@link LabelKind#ANSWER_ONLY} on every write (float tolerance), at a
 * fraction of the cost when the prompt is longer than the answers (the read dialog usually is).
 *
 * <p>No gradient flows (the cache is inference state); LoRA dropout off.
 */
public final class LitChoiceScorer {

    private LitChoiceScorer() {
    }

    /**
     * Sum log-likelihood of each write's answer labels ({@link LabelKind#ANSWER_ONLY}: the answer tokens
     * and the end of turn).
     *
     * @param writes     one write per answer, all for the same vector count and question
     * @param vectors    (n, d) the read's vectors, patched after {@code writeLayer} at the placeholders of
     *                   every write; null leaves the placeholders as they are
     * @param adapter    the decoder adapter, or null for the base model
     * @return per write, the summed log-probability of its answer tokens
     */
    public static double[] logLikelihoods(Llama model, List<LitWrite> writes, NDArray vectors, int writeLayer,
                                          String adapter, NDManager manager) {
        LitLoss.Targets targets = LitLoss.targets(writes, LabelKind.ANSWER_ONLY);
        int prefix = sharedPrefix(writes, targets);
        int[] placeholders = writes.get(0).placeholderPositions();
        for (LitWrite w : writes) {
            if (!Arrays.equals(w.placeholderPositions(), placeholders)) {
                throw new IllegalArgumentException("the writes put their placeholders at different positions: they are not"
                        + " answers to one question about one read");
            }
        }
        if (placeholders.length > 0 && placeholders[placeholders.length - 1] >= prefix) {
            throw new IllegalArgumentException("placeholders after the shared prompt (" + prefix + " tokens)");
        }
        int rows = writes.size();
        int suffix = 0;
        for (LitWrite w : writes) {
            suffix = Math.max(suffix, w.length() - prefix);
        }

        double[] sums = new double[rows];
        try (NDManager scratch = manager.newSubManager();
             KvCache prompt = model.newCache(1, prefix + suffix)) {
            // 1. the shared prompt, once: fills the cache; its last logits predict each answer's first label
            ForwardRequest.Builder first = ForwardRequest.builder()
                    .setTokens(TokenBatch.of(Arrays.copyOf(writes.get(0).ids(), prefix)))
                    .optLogits(RowPositions.at(new int[][]{{prefix - 1}}))
                    .optAdapter(adapter)
                    .optCache(prompt);
            if (vectors != null) {
                first.optPatch(ResidualPatch.replace(writeLayer, new int[][]{placeholders}, vectors));
            }
            float[] promptLogProbs = model.forward(first.build(), scratch).logits().logSoftmax(-1).toFloatArray(); // (V)

            // 2. the answers, one row each over a copy of the prompt's cache; rows are padded on the right,
            //    which a causal model never attends to from the real tokens before the padding
            int[][] tails = new int[rows][];
            for (int b = 0; b < rows; b++) {
                tails[b] = Arrays.copyOfRange(writes.get(b).ids(), prefix, prefix + suffix); // zeros past the end
            }
            int[][] positions = new int[rows][];
            int[] tailCounts = new int[rows];
            long[] tailTargets = new long[targets.total()];
            int n = 0;
            int k = 0;
            for (int b = 0; b < rows; b++) {
                int[] rowPositions = targets.positions()[b];
                positions[b] = new int[rowPositions.length];
                for (int t : rowPositions) {
                    long target = targets.targetIds()[k++];
                    if (t == prefix - 1) {
                        sums[b] += promptLogProbs[(int) target];
                    } else {
                        positions[b][tailCounts[b]++] = t - prefix;
                        tailTargets[n++] = target;
                    }
                }
                positions[b] = Arrays.copyOf(positions[b], tailCounts[b]);
            }
            if (n == 0) {
                return sums;
            }
            try (KvCache answers = prompt.repeatRow(rows)) {
                ForwardRequest second = ForwardRequest.builder()
                        .setTokens(TokenBatch.of(tails))
                        .optLogits(RowPositions.at(positions))
                        .optAdapter(adapter)
                        .optCache(answers)
                        .build();
                NDArray logits = model.forward(second, scratch).logits();                             // (N, V)
                NDArray index = scratch.create(Arrays.copyOf(tailTargets, n), new Shape(n, 1));     // (N, 1)
                float[] logProbs = logits.logSoftmax(-1).gather(index, 1).reshape(n).toFloatArray(); // (N)
                int i = 0;
                for (int b = 0; b < rows; b++) {
                    for (int j = 0; j < tailCounts[b]; j++) {
                        sums[b] += logProbs[i++];
                    }
                }
            }
        }
        return sums;
    }

    /**
     * Tokens every write shares, cut at the first loss position so that the prompt's last logits are the
     * earliest any answer needs.
     */
    static int sharedPrefix(List<LitWrite> writes, LitLoss.Targets targets) {
        int prefix = Integer.MAX_VALUE;
        for (int b = 0; b < writes.size(); b++) {
            prefix = Math.min(prefix, targets.positions()[b][0] + 1);
        }
        int[] first = writes.get(0).ids();
        for (LitWrite w : writes) {
            int same = 0;
            while (same < prefix && same < w.length() && w.ids()[same] == first[same]) {
                same++;
            }
            prefix = Math.min(prefix, same);
        }
        if (prefix < 1) {
            throw new IllegalArgumentException("the writes share no prompt");
        }
        return prefix;
    }
}
