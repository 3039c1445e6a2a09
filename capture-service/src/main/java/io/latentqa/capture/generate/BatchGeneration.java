package io.latentqa.capture.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.latentqa.core.generate.Sampler;
import io.latentqa.core.generate.TopPSampler;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.ForwardResult;
import io.latentqa.core.model.KvCache;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;
import io.latentqa.core.tokenizer.Tokenizer;

/**
 * Runs one batch of requests through the model with a shared KV cache: one prefill over the left-padded
 * prompts, then one decode step per token for every row still running. Each row has its own budget,
 * sampler, seed and stop conditions, and completes its job as soon as it is done.
 *
 * <p>Capture: the residual stream after each captured block is read during the same passes (prefill: all
 * prompt positions; each decode step: the token fed). A row that finishes is fed its last token once more
 * so that every completion token has a residual; that step computes no logits when no row still runs.
 *
 * <p>Dimension letters: B rows, T padded prompt length, d d_model, V vocabulary.
 */
final class BatchGeneration {

    private enum State { RUNNING, FEED_LAST, DONE }

    /** One request's row of the batch. */
    private static final class Row {
        final GenerationJob job;
        final Sampler sampler;
        final Random random;
        final CompletionText text;
        final int budget;
        final List<Integer> sampled = new ArrayList<>();
        final Map<Integer, float[]> captured = new LinkedHashMap<>(); // block -> (promptLength + budget, d)
        State state = State.RUNNING;
        FinishReason reason;
        int fed; // completion tokens fed back to the model (and captured)

        Row(GenerationJob job, Tokenizer tokenizer, int contextLength, int dModel) {
            this.job = job;
            Sampling sampling = job.sampling();
            this.sampler = sampling.temperature() == 0f ? Sampler.ARGMAX
                    : new TopPSampler(sampling.temperature(), sampling.topP());
            this.random = new Random(sampling.seed());
            this.text = new CompletionText(tokenizer, tokenizer.stopTokens(), job.stop());
            this.budget = Math.min(sampling.maxTokens(), contextLength - job.promptLength());
            for (int layer : job.captureLayers()) {
                captured.put(layer, new float[(job.promptLength() + budget) * dModel]);
            }
        }

        int last() {
            return sampled.get(sampled.size() - 1);
        }
    }

    private final Llama model;
    private final Tokenizer tokenizer;
    private final int dModel;

    BatchGeneration(Llama model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.dModel = model.config().dim();
    }

    /**
     * Generates for every job (all with the same adapter) and completes each job's future.
     *
     * @return the number of forward passes run
     */
    int run(List<GenerationJob> jobs) {
        String adapter = jobs.get(0).adapter();
        int contextLength = model.config().contextLength();
        List<Row> rows = new ArrayList<>();
        for (GenerationJob job : jobs) {
            if (job.promptLength() >= contextLength) {
                job.result().completeExceptionally(new IllegalArgumentException("the prompt has " + job.promptLength()
                        + " tokens; the model's context is " + contextLength));
            } else {
                rows.add(new Row(job, tokenizer, contextLength, dModel));
            }
        }
        if (rows.isEmpty()) {
            return 0;
        }
        int forwards = 0;
        int b = rows.size();
        TokenBatch prompts = TokenBatch.of(rows.stream().map(r -> r.job.prompt()).toList());
        int maxBudget = rows.stream().mapToInt(r -> r.budget).max().orElseThrow();
        SortedSet<Integer> layers = new TreeSet<>();
        rows.forEach(r -> r.captured.keySet().forEach(layers::add));
        try (NDManager manager = NDManager.newBaseManager();
                KvCache cache = model.newCache(b, prompts.length() + maxBudget)) {
            // prefill: every prompt, logits of each row's last token, residuals at every position
            ForwardRequest prefill = ForwardRequest.builder()
                    .setTokens(prompts)
                    .optLogits(RowPositions.last())
                    .optRead(layers)
                    .optReadPositions(RowPositions.all())
                    .optCache(cache)
                    .optAdapter(adapter)
                    .build();
            float[][] logits = step(prefill, manager, rows, layers, true, prompts);
            forwards++;
            while (true) {
                sample(rows, logits);
                boolean running = rows.stream().anyMatch(r -> r.state == State.RUNNING);
                boolean feeding = running || rows.stream().anyMatch(r -> r.state == State.FEED_LAST);
                if (!feeding) {
                    break;
                }
                // decode: each row's newest token (padding for rows that are done), attending over the cache
                int[][] column = new int[b][];
                for (int i = 0; i < b; i++) {
                    Row row = rows.get(i);
                    column[i] = new int[] {row.state == State.DONE ? TokenBatch.PAD_ID : row.last()};
                }
                ForwardRequest decode = ForwardRequest.builder()
                        .setTokens(TokenBatch.of(column))
                        .optLogits(running ? RowPositions.last() : RowPositions.none())
                        .optRead(layers)
                        .optReadPositions(RowPositions.last())
                        .optCache(cache)
                        .optAdapter(adapter)
                        .build();
                logits = step(decode, manager, rows, layers, false, null);
                forwards++;
                for (Row row : rows) {
                    if (row.state == State.FEED_LAST) {
                        finish(row, b);
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            for (Row row : rows) {
                row.job.result().completeExceptionally(e);
            }
            throw e;
        }
        return forwards;
    }

    /** Samples the next token of every running row and applies its stop conditions. */
    private void sample(List<Row> rows, float[][] logits) {
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (row.state != State.RUNNING) {
                continue;
            }
            if (row.job.cancelled()) {
                row.reason = FinishReason.CANCELLED;
                row.state = State.DONE;
                finish(row, rows.size());
                continue;
            }
            int token = row.sampler.sample(logits[i], row.random);
            row.sampled.add(token);
            String delta = row.text.add(token);
            if (tokenizer.stopTokens().contains(token) || row.text.stopped()) {
                row.reason = FinishReason.STOP;
            } else if (row.sampled.size() >= row.budget) {
                row.reason = FinishReason.LENGTH;
            }
            if (row.reason != null) {
                delta += row.text.finish();
                // the last token still needs a pass of its own for its residual
                row.state = row.job.captures() ? State.FEED_LAST : State.DONE;
            }
            if (!delta.isEmpty() && row.job.listener() != null) {
                row.job.listener().onText(delta);
            }
            if (row.state == State.DONE) {
                finish(row, rows.size());
            }
        }
    }

    /**
     * Runs one forward pass, stores the residuals of the rows that fed a real token and returns the logits
     * (B, V) copied to Java, or null when none were asked for. Frees every array of the pass.
     */
    private float[][] step(ForwardRequest request, NDManager manager, List<Row> rows, SortedSet<Integer> layers,
            boolean prefill, TokenBatch prompts) {
        try (NDScope scope = new NDScope()) {
            ForwardResult result = model.forward(request, manager);
            for (int layer : layers) {
                // prefill (B, T, d); decode (B, d)
                float[] flat = result.residual(layer).toFloatArray();
                for (int i = 0; i < rows.size(); i++) {
                    Row row = rows.get(i);
                    float[] target = row.captured.get(layer);
                    if (target == null) {
                        continue;
                    }
                    if (prefill) {
                        int length = prompts.length();
                        int pad = prompts.pad(i);
                        // the row's real columns [pad, T) are its prompt positions [0, promptLength)
                        System.arraycopy(flat, (i * length + pad) * dModel, target, 0, (length - pad) * dModel);
                    } else if (row.state != State.DONE) {
                        int position = row.job.promptLength() + row.fed;
                        System.arraycopy(flat, i * dModel, target, position * dModel, dModel);
                    }
                }
            }
            if (!prefill) {
                for (Row row : rows) {
                    if (row.state != State.DONE) {
                        row.fed++;
                    }
                }
            }
            NDArray logits = result.logits();
            if (logits == null) {
                return null;
            }
            float[] flat = logits.getDataType() == DataType.FLOAT32 ? logits.toFloatArray()
                    : logits.toType(DataType.FLOAT32, false).toFloatArray();
            int vocab = flat.length / rows.size();
            float[][] perRow = new float[rows.size()][];
            for (int i = 0; i < rows.size(); i++) {
                perRow[i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
            }
            return perRow;
        }
    }

    /** Completes a row's job with what it generated and captured. */
    private void finish(Row row, int batchRows) {
        row.state = State.DONE;
        GenerationJob job = row.job;
        int[] completion = row.sampled.stream().mapToInt(Integer::intValue).toArray();
        int[] capturedIds = new int[0];
        Map<Integer, float[]> residuals = new LinkedHashMap<>();
        if (job.captures()) {
            int tokens = job.promptLength() + row.fed;
            capturedIds = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                capturedIds[t] = t < job.promptLength() ? job.promptToken(t) : completion[t - job.promptLength()];
            }
            for (Map.Entry<Integer, float[]> entry : row.captured.entrySet()) {
                residuals.put(entry.getKey(), Arrays.copyOf(entry.getValue(), tokens * dModel));
            }
        }
        job.result().complete(new GenerationResult(job.prompt(), completion, row.text.text(), row.reason,
                capturedIds, residuals, dModel, batchRows));
    }
}
