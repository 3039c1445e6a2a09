package io.latentqa.trainer.eval;

import ai.djl.ndarray.NDManager;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.ForwardResult;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;
import io.latentqa.trainer.eval.FidelityEval.Interval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Does the target carry its hidden system prompt in the vectors a decoder is shown, and after which block?
 * A training-free check, to run before spending hours training a decoder on a read layer.
 *
 * <p>K system prompts of one token length (so that neither length nor position can tell them apart, only
 * content) are each put in front of M user turns of other records, and every read runs through the target.
 * Per block, each read's vectors (the shown ones of method doc §12, without the constant reference vector)
 * become two features: their mean, and the last one (the assistant header's final token, where the
 * target's answer starts). After removing the mean over all M·K reads, a read counts as identified when the
 * cosine-nearest read of <em>another</em> user turn was made under the same prompt. A prompt that leaves the
 * same mark whatever the user says is identified (up to 100 %); a target that ignores its system prompt
 * scores chance, 1/K. The shuffled control permutes the prompt labels within each user turn (averaged over
 * {@value #SHUFFLES} permutations) and must sit at chance: a probe that does not beat it reads nothing.
 *
 * <p>Identification is easier than naming: it needs the prompt's mark to be consistent, not a decoder
 * that turns it into words. High identification with a decoder at chance points at the decoder's training,
 * not at the target's activations.
 */
public final class ControlProbe {

    static final int SHUFFLES = 100;

    /** Identification of one feature at one block: correct of total reads, with a 95 % Wilson interval. */
    public record Identification(int correct, int total) {
        public Interval interval() {
            return Interval.wilson(correct, total);
        }
    }

    /**
     * One block's result.
     *
     * @param meanOfShown identification from the mean of the shown vectors
     * @param last        identification from the last shown vector
     * @param shuffled    the last vector with the prompt labels permuted within each user turn (chance; the
     *                    average over {@value #SHUFFLES} permutations)
     * @param promptShare how much of the last vector's norm changes with the prompt: the mean over reads of
     *                    |v − mean over the user turn's K reads| / |v|
     */
    public record Block(int block, Identification meanOfShown, Identification last, Identification shuffled,
                        double promptShare) {
    }

    /**
     * The probe's inputs and result; {@code systemTurnTokens} is the common token count of the K prompts' system
     * turns, or -1 when they differ (then length and position also tell the prompts apart).
     */
    public record Result(List<String> prompts, int users, int systemTurnTokens, List<Block> blocks) {
        public double chance() {
            return 1.0 / prompts.size();
        }
    }

    private ControlProbe() {
    }

    /**
     * K system prompts whose system turns have the same number of tokens: a seeded sample of the largest
     * group of equal length among {@code records} (one per label).
     */
    public static List<LitRecord> equalLengthPrompts(List<LitRecord> records, LitPromptBuilder builder, int k, long seed) {
        Map<Integer, Map<String, LitRecord>> byLength = new LinkedHashMap<>();
        for (LitRecord r : records) {
            int length = builder.read(r.readPrompt()).mask().length();
            byLength.computeIfAbsent(length, l -> new LinkedHashMap<>()).putIfAbsent(r.system(), r);
        }
        List<LitRecord> largest = new ArrayList<>(byLength.values().stream()
                .max(Comparator.comparingInt(Map::size)).orElseThrow().values());
        if (largest.size() < k) {
            throw new IllegalArgumentException("only " + largest.size() + " distinct system prompts share a length; ask for"
                    + " fewer prompts than " + k + " or give more records");
        }
        Collections.shuffle(largest, new Random(seed));
        return List.copyOf(largest.subList(0, k));
    }

    /**
     * Reads every user turn under every prompt (one forward per user turn, K rows) and scores each block.
     *
     * @param users    records whose user turns are read; their own system prompts are not used
     * @param progress called with the number of user turns done
     */
    public static Result run(Llama model, LitPromptBuilder builder, List<LitRecord> prompts, List<LitRecord> users,
                             long seed, IntConsumer progress) {
        int k = prompts.size();
        int m = users.size();
        if (k < 2 || m < 2) {
            throw new IllegalArgumentException("the probe needs at least 2 prompts and 2 user turns, got " + k + " and " + m);
        }
        int layers = model.config().nLayers();
        List<Integer> all = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            all.add(l);
        }
        float[][][][] meanOfShown = new float[layers][m][k][];
        float[][][][] last = new float[layers][m][k][];
        int systemTurn = -1;
        for (int u = 0; u < m; u++) {
            List<LitRead> reads = new ArrayList<>(k);
            for (LitRecord prompt : prompts) {
                LitRead read = builder.read(users.get(u).withControlOf(prompt).readPrompt());
                int length = read.mask().length();
                systemTurn = systemTurn == -1 || systemTurn == length ? length : -2; // -2: the prompts differ in length
                reads.add(read);
            }
            int[][] positions = reads.stream().map(LitRead::vectorIndex).toArray(int[][]::new);
            try (GradMode noGrad = GradMode.off(); NDManager scratch = NDManager.newBaseManager()) {
                ForwardResult result = model.forward(ForwardRequest.builder()
                        .setTokens(TokenBatch.of(reads.stream().map(LitRead::ids).toList()))
                        .optRead(all)
                        .optReadPositions(RowPositions.at(positions))
                        .build(), scratch);
                for (int l = 0; l < layers; l++) {
                    float[] x = result.residual(l).toFloatArray(); // (sum of n, d), each read's vectors in order
                    int d = model.config().dim();
                    int row = 0;
                    for (int p = 0; p < k; p++) {
                        int n = positions[p].length;
                        float[] mean = new float[d];
                        for (int i = 1; i < n; i++) { // vector 0 is the reference vector, the same in every read
                            for (int j = 0; j < d; j++) {
                                mean[j] += x[(row + i) * d + j] / (n - 1);
                            }
                        }
                        float[] lastVector = new float[d];
                        System.arraycopy(x, (row + n - 1) * d, lastVector, 0, d);
                        meanOfShown[l][u][p] = mean;
                        last[l][u][p] = lastVector;
                        row += n;
                    }
                }
            }
            progress.accept(u + 1);
        }
        int[][] labels = new int[m][k];
        for (int u = 0; u < m; u++) {
            for (int p = 0; p < k; p++) {
                labels[u][p] = p;
            }
        }
        Random random = new Random(seed);
        List<Block> blocks = new ArrayList<>(layers);
        for (int l = 0; l < layers; l++) {
            int[] nearestByLast = nearest(last[l]);
            blocks.add(new Block(l, identify(meanOfShown[l], labels), new Identification(correct(nearestByLast, labels), m * k),
                    shuffled(nearestByLast, m, k, random), promptShare(last[l])));
        }
        return new Result(prompts.stream().map(LitRecord::system).toList(), m, Math.max(systemTurn, -1), blocks);
    }

    /**
     * Nearest-neighbour identification: {@code v[u][p]} is user turn u's read under prompt p, labelled
     * {@code labels[u][p]}; each read's nearest read of another user turn ({@link #nearest}) must carry its label.
     */
    static Identification identify(float[][][] v, int[][] labels) {
        return new Identification(correct(nearest(v), labels), v.length * v[0].length);
    }

    /**
     * The shuffled control: the prompt labels permuted within each user turn, averaged over
     * {@value #SHUFFLES} permutations (one permutation is a noisy estimate: a user turn's reads tend to share
     * one nearest user turn, so their chance hits come together). The count is that average over the
     * m·k reads, so its interval has the width of one read-out.
     */
    static Identification shuffled(int[] nearest, int m, int k, Random random) {
        long hits = 0;
        int[][] labels = new int[m][k];
        List<Integer> permutation = new ArrayList<>();
        for (int p = 0; p < k; p++) {
            permutation.add(p);
        }
        for (int r = 0; r < SHUFFLES; r++) {
            for (int u = 0; u < m; u++) {
                Collections.shuffle(permutation, random);
                for (int p = 0; p < k; p++) {
                    labels[u][p] = permutation.get(p);
                }
            }
            hits += correct(nearest, labels);
        }
        return new Identification((int) Math.round(hits / (double) SHUFFLES), m * k);
    }

    /**
     * For each read {@code u·k + p}, the index {@code w·k + q} of its cosine-nearest read among the other user
     * turns' reads, after removing the mean over all reads. Ties go to the first in (user, prompt) order.
     */
    static int[] nearest(float[][][] v) {
        int m = v.length;
        int k = v[0].length;
        int d = v[0][0].length;
        double[] centre = new double[d];
        for (float[][] user : v) {
            for (float[] read : user) {
                for (int j = 0; j < d; j++) {
                    centre[j] += read[j] / (double) (m * k);
                }
            }
        }
        double[][][] unit = new double[m][k][d];
        for (int u = 0; u < m; u++) {
            for (int p = 0; p < k; p++) {
                double norm = 0;
                for (int j = 0; j < d; j++) {
                    unit[u][p][j] = v[u][p][j] - centre[j];
                    norm += unit[u][p][j] * unit[u][p][j];
                }
                norm = Math.sqrt(norm);
                for (int j = 0; j < d; j++) {
                    unit[u][p][j] = norm == 0 ? 0 : unit[u][p][j] / norm;
                }
            }
        }
        int[] nearest = new int[m * k];
        for (int u = 0; u < m; u++) {
            for (int p = 0; p < k; p++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int w = 0; w < m; w++) {
                    if (w == u) {
                        continue;
                    }
                    for (int q = 0; q < k; q++) {
                        double cosine = 0;
                        for (int j = 0; j < d; j++) {
                            cosine += unit[u][p][j] * unit[w][q][j];
                        }
                        if (cosine > best) {
                            best = cosine;
                            nearest[u * k + p] = w * k + q;
                        }
                    }
                }
            }
        }
        return nearest;
    }

    /** How many reads' nearest read carries their label. */
    static int correct(int[] nearest, int[][] labels) {
        int k = labels[0].length;
        int correct = 0;
        for (int i = 0; i < nearest.length; i++) {
            if (labels[nearest[i] / k][nearest[i] % k] == labels[i / k][i % k]) {
                correct++;
            }
        }
        return correct;
    }

    /** Mean over reads of |v − mean of its user turn's K reads| / |v|: the part of the vector the prompt moves. */
    static double promptShare(float[][][] v) {
        int m = v.length;
        int k = v[0].length;
        int d = v[0][0].length;
        double sum = 0;
        for (float[][] user : v) {
            double[] mean = new double[d];
            for (float[] read : user) {
                for (int j = 0; j < d; j++) {
                    mean[j] += read[j] / (double) k;
                }
            }
            for (float[] read : user) {
                double moved = 0;
                double norm = 0;
                for (int j = 0; j < d; j++) {
                    moved += (read[j] - mean[j]) * (read[j] - mean[j]);
                    norm += (double) read[j] * read[j];
                }
                sum += norm == 0 ? 0 : Math.sqrt(moved / norm);
            }
        }
        return sum / (m * k);
    }
}
