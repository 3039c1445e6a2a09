package io.latentqa.decoder.reading;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.Positions;
import io.latentqa.core.generate.Generation;
import io.latentqa.core.generate.GenerationSettings;
import io.latentqa.core.generate.Generator;
import io.latentqa.core.lit.LabelKind;
import io.latentqa.core.lit.LitActivations;
import io.latentqa.core.lit.LitLoss;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.lit.ReadPrompt;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.ResidualPatch;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.Tokenizer;

/**
 * Runs the LatentQA decoder over captured activations (method doc §5 reading, §12 construction): the event's
 * read-layer residuals A[1 … T−1] (unmasked; position 0, the attention sink, is never shown) replace the
 * residual stream after the write block at the n = T−1 {@code ?} placeholders of the write input
 * {@code user "? … ?"}, {@code reflect "Sure, I've analyzed the assistant."}, {@code user question}, open
 * {@code reflect} turn. The patch applies during prefill only; decoding attends over the KV cache, whose
 * later-block keys and values already carry it (§3.5).
 *
 * <p>The decoder is the base model plus an optional LoRA adapter registered on the same {@link Llama}: with
 * no adapter the untrained base model reads (the Patchscope baseline). Plain class: no framework, so it is
 * testable and usable from a benchmark main. Thread-safe (the model's forward is).
 *
 * <p>Dimension letters: n vectors of one event, d d_model, N vectors of a batch.
 */
public final class DecoderReader {

    private final Llama model;
    private final Tokenizer tokenizer;
    private final LitPromptBuilder builder;
    private final String modelId;
    private final String modelDigest;
    private final Set<Integer> stopTokens;

    /**
     * @param model       the base model (target and decoder share its weights)
     * @param tokenizer   its tokenizer
     * @param builder     LIT prompt builder for its chat template
     * @param modelId     the id events of this model carry
     * @param modelDigest sha256 (hex) of its weights
     */
    public DecoderReader(Llama model, Tokenizer tokenizer, LitPromptBuilder builder, String modelId, String modelDigest) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.builder = builder;
        this.modelId = modelId;
        this.modelDigest = bareDigest(modelDigest);
        Set<Integer> stops = new LinkedHashSet<>(tokenizer.stopTokens());
        stops.add(builder.endOfTurnId());
        this.stopTokens = Set.copyOf(stops);
    }

    public Llama model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public LitPromptBuilder builder() {
        return builder;
    }

    public String modelId() {
        return modelId;
    }

    public String modelDigest() {
        return modelDigest;
    }

    /** End of turn and end of text: where an answer stops. */
    public Set<Integer> stopTokens() {
        return stopTokens;
    }

    /** Greedy decoding with this model's stop tokens (method doc §5: greedy, at most 100 new tokens). */
    public GenerationSettings greedy(int maxNewTokens) {
        return GenerationSettings.greedy(maxNewTokens, stopTokens);
    }

    // ----------------------------------------------------------------------------------------------
    // checks

    /**
     * Checks that an event comes from this model: same weights digest (or, when the digest differs, fails
     * naming both) and the model's hidden size.
     *
     * @throws IncompatibleActivationsException saying what differs
     */
    public void checkModel(ActivationEvent event) {
        String digest = bareDigest(event.modelDigest());
        if (!digest.equals(modelDigest)) {
            if (event.modelId().equals(modelId)) {
                throw new IncompatibleActivationsException("event model '" + event.modelId() + "' has weights digest "
                        + digest + " but this decoder loaded " + modelId + " with digest " + modelDigest
                        + "; the activations come from other weights");
            }
            throw new IncompatibleActivationsException("unknown model '" + event.modelId() + "' (digest " + digest
                    + "); this decoder reads activations of " + modelId + " (digest " + modelDigest + ")");
        }
        int dim = model.config().dim();
        if (event.dModel() != dim) {
            throw new IncompatibleActivationsException("event d_model " + event.dModel() + " does not match the hidden"
                    + " size " + dim + " of " + modelId);
        }
    }

    /**
     * The vectors shown for an event: A[1 … T−1] of block {@code readLayer}.
     *
     * @throws IncompatibleActivationsException if the event is of another model, lacks the read layer, does not
     *         hold positions {@code all}, or has fewer than 2 tokens
     */
    public ReadVectors vectors(ActivationEvent event, int readLayer) {
        checkModel(event);
        if (event.positions().kind() != Positions.Kind.ALL) {
            throw new IncompatibleActivationsException("event " + event.requestId() + " holds positions "
                    + event.positions() + "; reading needs positions 'all' (every token of the dialog, position 0"
                    + " included); capture with positions all");
        }
        int slot = event.slotOf(readLayer);
        if (slot < 0) {
            throw new IncompatibleActivationsException("event " + event.requestId() + " holds blocks "
                    + Arrays.toString(event.layers()) + " but the decoder reads block " + readLayer
                    + "; capture that layer");
        }
        int tokens = event.tokens();
        if (tokens < 2) {
            throw new IncompatibleActivationsException("event " + event.requestId() + " has " + tokens
                    + " token(s); reading needs at least 2 (position 0 is never shown)");
        }
        int d = event.dModel();
        int n = tokens - 1;
        float[] shown = new float[n * d]; // (n, d): rows 1 … T−1 of the layer
        System.arraycopy(event.activations(), (slot * tokens + 1) * d, shown, 0, n * d);
        return new ReadVectors(event.requestId(), event.modelId(), shown, n, d);
    }

    /**
     * Captures a dialog in-process: the base model (no adapter; target and decoder share the weights) reads the
     * dialog rendered as method doc §5 reads it (generation prompt unless the last turn is the assistant's),
     * and the residuals after {@code readLayer} at positions 1 … L−1 are the vectors.
     */
    public ReadVectors capture(List<ChatMessage> dialog, int readLayer) {
        LitRead read = builder.read(ReadPrompt.forReading(dialog));
        float[] shown;
        try (NDManager manager = NDManager.newBaseManager()) {
            shown = LitActivations.read(model, List.of(read), readLayer, null, false, manager)
                    .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(); // (n, d)
        }
        return new ReadVectors(null, modelId, shown, read.vectorCount(), model.config().dim());
    }

    // ----------------------------------------------------------------------------------------------
    // reading

    /**
     * Answers every item in one batched generation (one prefill, KV cache, rows stop independently).
     *
     * @param items      one row each
     * @param settings   budget, sampling, stop tokens
     * @param adapter    registered decoder adapter, or null for the base model
     * @param writeLayer block after which the vectors replace the stream (0 in LIT)
     */
    public List<Reading> read(List<ReadItem> items, GenerationSettings settings, String adapter, int writeLayer) {
        if (items.isEmpty()) {
            return List.of();
        }
        List<LitWrite> writes = new ArrayList<>(items.size());
        for (ReadItem item : items) {
            writes.add(builder.write(item.vectors().count(), item.question(), null));
        }
        List<Generation> generations;
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualPatch patch = patch(items, writes, writeLayer, manager);
            generations = new Generator(model).generate(writes.stream().map(LitWrite::ids).toList(), settings,
                    adapter, List.of(patch));
        }
        List<Reading> readings = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            readings.add(reading(items.get(i).question(), generations.get(i), adapter));
        }
        return readings;
    }

    /** The open write ids of one question over n vectors (what {@link #read} prefills). */
    public LitWrite openWrite(int n, String question) {
        return builder.write(n, question, null);
    }

    private Reading reading(String question, Generation generation, String adapter) {
        int[] ids = generation.tokens();
        int textLength = ids.length;
        if (generation.stopReason() == Generation.StopReason.STOP_TOKEN) {
            textLength--;
        }
        String[] pieces = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            pieces[i] = tokenizer.decode(new int[] {ids[i]});
        }
        String answer = tokenizer.decode(Arrays.copyOf(ids, textLength)).strip();
        return new Reading(question, answer, ids, pieces, generation.logProbs(), generation.stopReason(), adapter);
    }

    // ----------------------------------------------------------------------------------------------
    // scoring

    /**
     * Log-likelihood of candidate answers to one question (multiple choice), batched over the candidates and
     * ranked.
     *
     * @param vectors    what the decoder is shown
     * @param question   the question
     * @param answers    the candidates (at least one)
     * @param normalise  also score each answer without activations and rank by the difference
     * @param adapter    registered decoder adapter, or null for the base model
     * @param writeLayer block after which the vectors replace the stream
     * @return one score per candidate, in the order given
     */
    public List<CandidateScore> score(ReadVectors vectors, String question, List<String> answers, boolean normalise,
            String adapter, int writeLayer) {
        return score(List.of(new ScoreItem(vectors, question, answers, normalise)), adapter, writeLayer).get(0);
    }

    /**
     * Scores several multiple-choice questions, about the same or different vectors, in one batched forward pass
     * over all their candidates (and one more, without activations, over the candidates of the items that
     * normalise). Each item's candidates are ranked among themselves.
     *
     * @param items      the questions with their candidates
     * @param adapter    registered decoder adapter, or null for the base model
     * @param writeLayer block after which the vectors replace the stream
     * @return per item, one score per candidate in the order given
     */
    public List<List<CandidateScore>> score(List<ScoreItem> items, String adapter, int writeLayer) {
        List<LitWrite> writes = new ArrayList<>();
        List<ReadItem> rows = new ArrayList<>();
        List<LitWrite> baselineWrites = new ArrayList<>();
        for (ScoreItem item : items) {
            for (String answer : item.answers()) {
                LitWrite write = builder.write(item.vectors().count(), item.question(), answer);
                writes.add(write);
                rows.add(new ReadItem(item.vectors(), item.question()));
                if (item.normalise()) {
                    baselineWrites.add(write);
                }
            }
        }
        double[][] patched;
        double[][] baseline = null;
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualPatch patch = patch(rows, writes, writeLayer, manager);
            patched = logLikelihoods(writes, patch.vectors(), writeLayer, adapter, manager);
            if (!baselineWrites.isEmpty()) {
                baseline = logLikelihoods(baselineWrites, null, writeLayer, adapter, manager);
            }
        }
        List<List<CandidateScore>> out = new ArrayList<>(items.size());
        int row = 0;
        int baselineRow = 0;
        for (ScoreItem item : items) {
            int k = item.answers().size();
            double[][] itemBaseline = null;
            if (item.normalise()) {
                itemBaseline = Arrays.copyOfRange(baseline, baselineRow, baselineRow + k);
                baselineRow += k;
            }
            out.add(ranked(item.answers(), Arrays.copyOfRange(patched, row, row + k), itemBaseline));
            row += k;
        }
        return out;
    }

    /** Candidates with their scores, softmax probabilities and ranks, from per-row {log-likelihood, tokens}. */
    private static List<CandidateScore> ranked(List<String> answers, double[][] patched, double[][] baseline) {
        double[] scores = new double[answers.size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = patched[i][0] - (baseline == null ? 0 : baseline[i][0]);
            max = Math.max(max, scores[i]);
        }
        double sum = 0;
        for (double s : scores) {
            sum += Math.exp(s - max);
        }
        List<CandidateScore> out = new ArrayList<>(answers.size());
        for (int i = 0; i < scores.length; i++) {
            int rank = 1;
            for (int j = 0; j < scores.length; j++) {
                if (scores[j] > scores[i] || (scores[j] == scores[i] && j < i)) {
                    rank++;
                }
            }
            int tokens = (int) patched[i][1];
            out.add(new CandidateScore(answers.get(i), tokens, patched[i][0], patched[i][0] / tokens,
                    baseline == null ? null : baseline[i][0], scores[i], Math.exp(scores[i] - max) / sum, rank));
        }
        return out;
    }

    /** Per row: {sum of answer log-probs, answer token count}. */
    private double[][] logLikelihoods(List<LitWrite> writes, NDArray vectors, int writeLayer, String adapter,
            NDManager manager) {
        LitLoss.Result result = LitLoss.evaluate(model, writes, vectors, writeLayer, LabelKind.ANSWER_ONLY, adapter,
                false, manager);
        float[] logProbs = result.tokenLogProbs().toFloatArray(); // (N) rows in order
        int[] counts = result.targets().counts();
        double[][] out = new double[writes.size()][2];
        int i = 0;
        for (int b = 0; b < counts.length; b++) {
            double sum = 0;
            for (int k = 0; k < counts[b]; k++) {
                sum += logProbs[i++];
            }
            out[b][0] = sum;
            out[b][1] = counts[b];
        }
        return out;
    }

    /** The replace patch of every row's vectors at its placeholders: vectors (N, d) in the model's dtype. */
    private ResidualPatch patch(List<ReadItem> items, List<LitWrite> writes, int writeLayer, NDManager manager) {
        int d = model.config().dim();
        int total = items.stream().mapToInt(item -> item.vectors().count()).sum();
        float[] all = new float[total * d]; // (N, d)
        int offset = 0;
        int[][] positions = new int[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            ReadVectors v = items.get(i).vectors();
            if (v.dModel() != d) {
                throw new IncompatibleActivationsException("vectors of width " + v.dModel() + " cannot be read by a"
                        + " model of hidden size " + d);
            }
            System.arraycopy(v.vectors(), 0, all, offset, v.vectors().length);
            offset += v.vectors().length;
            positions[i] = writes.get(i).placeholderPositions();
        }
        NDArray vectors = manager.create(all, new Shape(total, d)).toType(model.dataType(), false);
        return ResidualPatch.replace(writeLayer, positions, vectors);
    }

    private static String bareDigest(String digest) {
        String lower = digest.toLowerCase(java.util.Locale.ROOT);
        return lower.startsWith("sha256:") ? lower.substring("sha256:".length()) : lower;
    }
}
