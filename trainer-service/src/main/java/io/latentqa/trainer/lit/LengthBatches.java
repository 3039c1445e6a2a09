package io.latentqa.trainer.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Length-bucketed batches (method doc §4 "batching"): examples sorted by token length (ties by index),
 * cut into consecutive batches, so padding stays small; the order of the batches is shuffled anew each
 * epoch from the seed. Unlike the reference, the short tail batch is kept (small data sets would lose
 * too much). Deterministic: micro-batch number g of a run is always the same examples, so a data
 * cursor is just g.
 */
public final class LengthBatches {

    private final List<int[]> batches;
    private final long seed;

    /**
     * @param lengths   a length per example (read + write tokens)
     * @param batchSize examples per batch
     * @param seed      the run's seed
     */
    public LengthBatches(int[] lengths, int batchSize, long seed) {
        if (lengths.length == 0) {
            throw new IllegalArgumentException("no examples to batch");
        }
        Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> lengths[i]).thenComparingInt(i -> i));
        List<int[]> cut = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            cut.add(Arrays.stream(order, from, to).mapToInt(Integer::intValue).toArray());
        }
        this.batches = Collections.unmodifiableList(cut);
        this.seed = seed;
    }

    /** Batches per epoch. */
    public int perEpoch() {
        return batches.size();
    }

    /** The example indices of micro-batch {@code g} of the run (epochs follow one another). */
    public int[] batch(long g) {
        int epoch = (int) (g / batches.size());
        int within = (int) (g % batches.size());
        return batches.get(epochOrder(epoch)[within]);
    }

    /** The shuffled batch order of one epoch. */
    int[] epochOrder(int epoch) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, batches.size()).boxed().toList());
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }
}
