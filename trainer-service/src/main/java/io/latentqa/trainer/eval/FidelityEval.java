package io.latentqa.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentqa.core.lit.LitActivations;
import io.latentqa.core.lit.LitChoiceScorer;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.Llama;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Does the decoder read the activations, or only guess well? Multiple-choice top-1 of the trained decoder
 * next to its three controls, each scored raw (log-likelihood of the answer) and PMI-normalised (minus the
 * same answer's log-likelihood under the same model with the placeholders left as they are):
 * <ul>
 *   <li>{@link Variant#DECODER}: the trained adapter, the item's own activations;</li>
 *   <li>{@link Variant#UNTRAINED}: the base model (no adapter), the same activations patched in;</li>
 *   <li>{@link Variant#SHUFFLED}: the trained adapter given another item's activations (a seeded
 *       derangement across labels);</li>
 *   <li>{@link Variant#NO_ACTIVATIONS}: the trained adapter, nothing patched (raw only: its PMI is 0 for
 *       every answer by definition).</li>
 * </ul>
 * A decoder reads something only if DECODER beats every control by more than the intervals' width.
 * <p>
 * Where the activations come from a dialog whose answer is hidden from the decoder (a masked system
 * prompt), beating the controls does not yet show that the decoder reads the hidden part: the visible
 * user turn is about the same topic as the prompt and may name it on its own. Items that carry a
 * {@link Item#swapped() swapped read} (the same visible text read under the hidden prompt of
 * {@code answers[1]}, another label's) are also scored under that read, by the trained adapter:
 * <ul>
 *   <li>{@link Variant#SWAPPED_NEW}: right when the decoder names the prompt the target was given in this
 *       read, {@code answers[1]}: it reads the hidden prompt;</li>
 *   <li>{@link Variant#SWAPPED_OWN}: right when it still names the item's own prompt, {@code answers[0]},
 *       which the target never saw in this read: it reads only the visible text.</li>
 * </ul>
 */
public final class FidelityEval {

    public enum Variant {
        DECODER("decoder"), UNTRAINED("untrained"), SHUFFLED("shuffled"), NO_ACTIVATIONS("no activations"),
        SWAPPED_NEW("swapped: new"), SWAPPED_OWN("swapped: own");

        private final String title;

        Variant(String title) {
            this.title = title;
        }

        /** A short name for tables and charts. */
        public String title() {
            return title;
        }
    }

    /**
     * One multiple-choice item: what the target reads, the question, and the answers (the true one first).
     *
     * @param swapped the same visible text read under the hidden control that {@code answers[1]} names, or
     *                null (no hidden control to swap)
     */
    public record Item(String label, LitRead read, String question, List<String> answers, LitRead swapped) {
        public Item(String label, LitRead read, String question, List<String> answers) {
            this(label, read, question, answers, null);
        }

        public Item {
            if (swapped != null && answers.size() < 2) {
                throw new IllegalArgumentException("a swapped read names answers[1], so the item needs at least two answers");
            }
        }

        public Item withSwapped(LitRead swappedRead) {
            return new Item(label, read, question, answers, swappedRead);
        }
    }

    /** Top-1 counts of one variant; {@code pmiCorrect} is -1 where PMI is undefined. */
    public record Score(Variant variant, int items, int rawCorrect, int pmiCorrect) {
        public Interval raw() {
            return Interval.wilson(rawCorrect, items);
        }

        public Interval pmi() {
            return pmiCorrect < 0 ? null : Interval.wilson(pmiCorrect, items);
        }
    }

    /** A proportion with its 95 % Wilson score interval. */
    public record Interval(double value, double low, double high) {
        static final double Z = 1.959963984540054;

        public static Interval wilson(int successes, int n) {
            if (n == 0) {
                return new Interval(Double.NaN, Double.NaN, Double.NaN);
            }
            double p = (double) successes / n;
            double z2 = Z * Z;
            double centre = (p + z2 / (2.0 * n)) / (1 + z2 / n);
            double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
            return new Interval(p, centre - half, centre + half);
        }
    }

    private final Llama model;
    private final LitPromptBuilder builder;
    private final int readLayer;
    private final int writeLayer;

    public FidelityEval(Llama model, LitPromptBuilder builder, int readLayer, int writeLayer) {
        this.model = model;
        this.builder = builder;
        this.readLayer = readLayer;
        this.writeLayer = writeLayer;
    }

    /**
     * Scores every item under every variant.
     *
     * @param adapter  the trained decoder adapter's registered name
     * @param seed     picks the shuffled partners
     * @param progress called with the number of items done
     */
    public Map<Variant, Score> evaluate(List<Item> items, String adapter, long seed, IntConsumer progress) {
        return evaluate(items, adapter, seed, EnumSet.allOf(Variant.class), progress);
    }

    /**
     * Scores every item under the given variants only; the others score no items.
     *
     * @param adapter  the trained decoder adapter's registered name
     * @param seed     picks the shuffled partners
     * @param variants which variants to score
     * @param progress called with the number of items done
     */
    public Map<Variant, Score> evaluate(List<Item> items, String adapter, long seed, Set<Variant> variants, IntConsumer progress) {
        try (GradMode noGrad = GradMode.off()) {
            return evaluateWithoutGradient(items, adapter, seed, EnumSet.copyOf(variants), progress);
        }
    }

    private Map<Variant, Score> evaluateWithoutGradient(List<Item> items, String adapter, long seed, Set<Variant> variants,
                                                        IntConsumer progress) {
        // with a single label there is no other record's activations to show: no shuffled control
        boolean shuffle = variants.contains(Variant.SHUFFLED) && items.stream().map(Item::label).distinct().count() > 1;
        boolean swap = variants.contains(Variant.SWAPPED_NEW) || variants.contains(Variant.SWAPPED_OWN);
        int[] partner = shuffle ? derangement(items, seed) : null;
        int[] raw = new int[Variant.values().length];
        int[] pmi = new int[Variant.values().length];
        int swappedItems = 0;
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            Item other = partner == null ? null : items.get(partner[i]);
            LitRead swappedRead = swap ? item.swapped() : null;
            try (NDManager manager = NDManager.newBaseManager()) {
                List<LitRead> reads = new ArrayList<>(List.of(item.read()));
                if (other != null) {
                    reads.add(other.read());
                }
                if (swappedRead != null) {
                    reads.add(swappedRead);
                }
                NDArray vectors = LitActivations.read(model, reads, readLayer, null, false, manager);
                int n = item.read().vectorCount();
                int otherEnd = n + (other == null ? 0 : other.read().vectorCount());
                NDArray own = vectors.get("0:" + n);
                List<LitWrite> ownWrites = writes(n, item);

                double[] decoderBlind = score(ownWrites, null, adapter, manager);
                if (variants.contains(Variant.DECODER)) {
                    tally(raw, pmi, Variant.DECODER, 0, score(ownWrites, own, adapter, manager), decoderBlind);
                }
                if (variants.contains(Variant.UNTRAINED)) {
                    tally(raw, pmi, Variant.UNTRAINED, 0, score(ownWrites, own, null, manager), score(ownWrites, null, null, manager));
                }
                if (other != null) {
                    List<LitWrite> foreignWrites = writes(other.read().vectorCount(), item);
                    double[] shuffled = score(foreignWrites, vectors.get(n + ":" + otherEnd), adapter, manager);
                    tally(raw, pmi, Variant.SHUFFLED, 0, shuffled, blind(foreignWrites, n, decoderBlind, adapter, manager));
                }
                if (swappedRead != null) {
                    List<LitWrite> swappedWrites = writes(swappedRead.vectorCount(), item);
                    double[] swapped = score(swappedWrites, vectors.get(otherEnd + ":"), adapter, manager);
                    double[] swappedBlind = blind(swappedWrites, n, decoderBlind, adapter, manager);
                    tally(raw, pmi, Variant.SWAPPED_NEW, 1, swapped, swappedBlind);
                    tally(raw, pmi, Variant.SWAPPED_OWN, 0, swapped, swappedBlind);
                    swappedItems++;
                }
                raw[Variant.NO_ACTIVATIONS.ordinal()] += MultipleChoice.correct(decoderBlind, 0) ? 1 : 0;
            }
            progress.accept(i + 1);
        }
        Map<Variant, Score> scores = new EnumMap<>(Variant.class);
        for (Variant v : Variant.values()) {
            int scored = !variants.contains(v) ? 0 : switch (v) {
                case SHUFFLED -> partner == null ? 0 : items.size();
                case SWAPPED_NEW, SWAPPED_OWN -> swappedItems;
                default -> items.size();
            };
            scores.put(v, new Score(v, scored, scored == 0 ? 0 : raw[v.ordinal()],
                    v == Variant.NO_ACTIVATIONS ? -1 : scored == 0 ? 0 : pmi[v.ordinal()]));
        }
        return scores;
    }

    /**
     * The trained adapter's scores of the answers with nothing patched: the write ids depend only on the
     * placeholder count, question and answer, so the item's own blind scores serve whenever the writes have
     * the item's own {@code n} placeholders.
     */
    private double[] blind(List<LitWrite> writes, int n, double[] ownBlind, String adapter, NDManager manager) {
        return writes.get(0).placeholderPositions().length == n ? ownBlind : score(writes, null, adapter, manager);
    }

    /** Sum log-likelihood of each answer, the shared prompt computed once. */
    private double[] score(List<LitWrite> writes, NDArray vectors, String adapter, NDManager manager) {
        return LitChoiceScorer.logLikelihoods(model, writes, vectors, writeLayer, adapter, manager);
    }

    private static void tally(int[] raw, int[] pmi, Variant variant, int right, double[] with, double[] without) {
        raw[variant.ordinal()] += MultipleChoice.correct(with, right) ? 1 : 0;
        pmi[variant.ordinal()] += MultipleChoice.correct(MultipleChoice.normalised(with, without), right) ? 1 : 0;
    }

    private List<LitWrite> writes(int vectorCount, Item item) {
        return item.answers().stream().map(a -> builder.write(vectorCount, item.question(), a)).toList();
    }

    /**
     * For each item, another item with a different label whose activations it is shown in the
     * SHUFFLED control: a seeded cyclic order, each item taking the next item of another label.
     */
    static int[] derangement(List<Item> items, long seed) {
        int n = items.size();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int[] partner = new int[n];
        for (int j = 0; j < n; j++) {
            int i = order.get(j);
            partner[i] = -1;
            for (int step = 1; step < n; step++) {
                int candidate = order.get((j + step) % n);
                if (!items.get(candidate).label().equals(items.get(i).label())) {
                    partner[i] = candidate;
                    break;
                }
            }
            if (partner[i] < 0) {
                throw new IllegalArgumentException("the shuffled control needs items of at least two labels");
            }
        }
        return partner;
    }

    /**
     * Multiple-choice items: for each record, the true answer and {@code choices - 1} distinct answers
     * of other labels, drawn by a seeded shuffle (the item's index varies the draw).
     *
     * @param labels  label per record
     * @param reads   read input per record
     * @param answers true answer per record
     */
    public static List<Item> items(List<String> labels, List<LitRead> reads, List<String> answers, String question,
                                   int choices, long seed) {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            List<String> others = distractors(labels, answers, i, choices - 1, seed);
            if (others.size() < choices - 1) {
                throw new IllegalArgumentException("item " + i + " has only " + others.size() + " distinct answers of other labels; "
                        + (choices - 1) + " distractors are needed");
            }
            List<String> options = new ArrayList<>();
            options.add(answers.get(i));
            options.addAll(others);
            items.add(new Item(labels.get(i), reads.get(i), question, options));
        }
        return items;
    }

    /**
     * Up to {@code count} distinct answers of records whose label and answer differ from record
     * {@code item}'s, picked by a seeded shuffle (the item's index varies the draw).
     */
    public static List<String> distractors(List<String> labels, List<String> answers, int item, int count, long seed) {
        List<String> pool = new ArrayList<>();
        for (int j = 0; j < labels.size(); j++) {
            String answer = answers.get(j);
            if (!labels.get(j).equals(labels.get(item)) && !answer.equals(answers.get(item)) && !pool.contains(answer)) {
                pool.add(answer);
            }
        }
        Collections.shuffle(pool, new Random(seed * 31 + item));
        return pool.subList(0, Math.min(count, pool.size()));
    }
}
