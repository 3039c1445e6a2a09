package io.latentqa.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentqa.core.lit.LitActivations;
import io.latentqa.core.lit.LitChoiceScorer;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.Llama;
import io.latentqa.trainer.eval.FidelityEval.Interval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Can a training recipe teach the decoder to read at all? A closed-set check on training records only, for
 * tuning without looking at the eval split.
 *
 * <p>K system prompts of one token length ({@link ControlProbe#equalLengthPrompts}) are each put in front of the
 * same user turns of other labels, and the decoder learns to answer "What instruction was the assistant
 * given?" with the prompt. Every user turn is seen under every prompt, so the user turn says nothing about the
 * answer and the answers' wording is learnt in a few dozen steps: what is left of the loss can only be won by
 * reading the prompt's mark in the activations (which {@code ./latentqa probe} shows is there). Held-out user
 * turns, each under one prompt, are scored by PMI top-1 among the K prompts; the shuffled control reads the
 * same user turn under another prompt and must stay at chance, 1/K.
 */
public final class ClosedSet {

    /**
     * The prompts, the user turns to train on and the held-out ones, all of distinct labels.
     *
     * @param examples every training user turn under every prompt, answered with the prompt
     */
    public record Split(List<LitRecord> prompts, List<LitRecord> trainUsers, List<LitRecord> evalUsers,
                        List<LitExample> examples) {
    }

    /**
     * One evaluation: top-1 of {@code total} held-out reads by raw likelihood and by PMI (minus the same answer's
     * likelihood without activations), the shuffled control by PMI, and the mean PMI of the true answer (nats)
     * with its own and with the shuffled read.
     */
    public record Score(int total, int rawCorrect, int pmiCorrect, int shuffledPmiCorrect, double truePmi,
                        double trueShuffledPmi) {
        public Interval pmi() {
            return Interval.wilson(pmiCorrect, total);
        }

        public Interval shuffledPmi() {
            return Interval.wilson(shuffledPmiCorrect, total);
        }

        public Interval raw() {
            return Interval.wilson(rawCorrect, total);
        }
    }

    private ClosedSet() {
    }

    /**
     * Picks K equal-length prompts ({@code seed}), then {@code trainUsers + evalUsers} user turns of other labels,
     * one per label (shuffled with {@code seed + 1}), and builds the training examples.
     */
    public static Split split(List<LitRecord> records, LitPromptBuilder builder, String question, int k, int trainUsers,
                              int evalUsers, long seed) {
        List<LitRecord> prompts = ControlProbe.equalLengthPrompts(records, builder, k, seed);
        Set<String> labels = new LinkedHashSet<>();
        prompts.forEach(p -> labels.add(p.label()));
        List<LitRecord> users = new ArrayList<>();
        for (LitRecord r : records) {
            if (labels.add(r.label())) {
                users.add(r);
            }
        }
        if (users.size() < trainUsers + evalUsers) {
            throw new IllegalArgumentException("only " + users.size() + " labels besides the prompts' for user turns; ask for fewer"
                    + " than " + trainUsers + " + " + evalUsers);
        }
        Collections.shuffle(users, new Random(seed + 1));
        List<LitRecord> train = List.copyOf(users.subList(0, trainUsers));
        List<LitRecord> eval = List.copyOf(users.subList(trainUsers, trainUsers + evalUsers));
        List<LitExample> examples = new ArrayList<>(trainUsers * k);
        for (LitRecord user : train) {
            for (LitRecord prompt : prompts) {
                examples.add(builder.build(user.withControlOf(prompt), question, prompt.system()));
            }
        }
        return new Split(prompts, train, eval, examples);
    }

    /** The prompt held-out user turn {@code i} is read under: the prompts in turn. */
    public static int promptOf(int i, int k) {
        return i % k;
    }

    /** The shuffled control's prompt for held-out user turn {@code i}: never its own, each other one in turn. */
    public static int shuffledPromptOf(int i, int k) {
        return (promptOf(i, k) + 1 + (i / k) % (k - 1)) % k;
    }

    /**
     * Scores the decoder on the held-out user turns (three scorings of K answers each: the read, the shuffled
     * read, no activations).
     *
     * @param progress called with the number of user turns done
     */
    public static Score evaluate(Llama model, LitPromptBuilder builder, Split split, String question, int readLayer,
                                 int writeLayer, String adapter, IntConsumer progress) {
        int k = split.prompts().size();
        int raw = 0;
        int pmi = 0;
        int shuffledPmi = 0;
        double truePmi = 0;
        double trueShuffledPmi = 0;
        List<LitRecord> users = split.evalUsers();
        try (GradMode off = GradMode.off(); NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < users.size(); i++) {
                int own = promptOf(i, k);
                LitRead read = builder.read(users.get(i).withControlOf(split.prompts().get(own)).readPrompt());
                LitRead shuffled = builder.read(users.get(i).withControlOf(split.prompts().get(shuffledPromptOf(i, k))).readPrompt());
                List<LitWrite> writes = new ArrayList<>(k);
                for (LitRecord prompt : split.prompts()) {
                    writes.add(builder.write(read.vectorCount(), question, prompt.system()));
                }
                try (NDManager scratch = manager.newSubManager()) {
                    NDArray vectors = LitActivations.read(model, List.of(read), readLayer, null, false, scratch);
                    NDArray shuffledVectors = LitActivations.read(model, List.of(shuffled), readLayer, null, false, scratch);
                    double[] withRead = LitChoiceScorer.logLikelihoods(model, writes, vectors, writeLayer, adapter, scratch);
                    double[] withShuffled = LitChoiceScorer.logLikelihoods(model, writes, shuffledVectors, writeLayer, adapter, scratch);
                    double[] without = LitChoiceScorer.logLikelihoods(model, writes, null, writeLayer, adapter, scratch);
                    raw += argmax(withRead, null) == own ? 1 : 0;
                    pmi += argmax(withRead, without) == own ? 1 : 0;
                    shuffledPmi += argmax(withShuffled, without) == own ? 1 : 0;
                    truePmi += withRead[own] - without[own];
                    trueShuffledPmi += withShuffled[own] - without[own];
                }
                progress.accept(i + 1);
            }
        }
        int n = users.size();
        return new Score(n, raw, pmi, shuffledPmi, truePmi / n, trueShuffledPmi / n);
    }

    /** The index of the largest {@code scores[i] - baseline[i]} (baseline null: 0), the first on ties. */
    static int argmax(double[] scores, double[] baseline) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            double base = baseline == null ? 0 : baseline[i];
            double bestBase = baseline == null ? 0 : baseline[best];
            if (scores[i] - base > scores[best] - bestBase) {
                best = i;
            }
        }
        return best;
    }
}
