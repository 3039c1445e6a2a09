package io.latentqa.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.latentqa.core.generate.Generation.StopReason;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.KvCache;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.ResidualPatch;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Generates continuations of a batch of prompts with a KV cache: one prefill over the left-padded
 * prompts, then one token per row per step. Residual patches apply to the prefill only (method doc
 * §3.5): the cached keys and values already carry them, which is equivalent to patching every
 * step of a cache-less loop.
 *
 * <p>Rows stop independently (stop token, token budget, context length); a finished row is fed a
 * padding token until the others finish and its outputs are ignored. Results are deterministic for
 * given settings: greedy ties go to the lowest id and row b samples from {@code Random(seed + b)}.
 */
public final class Generator {

    private final Llama model;

    public Generator(Llama model) {
        this.model = model;
    }

    /** Generates with the base model, no patches. */
    public List<Generation> generate(List<int[]> prompts, GenerationSettings settings) {
        return generate(prompts, settings, null, List.of());
    }

    /**
     * Generates a continuation of every prompt.
     *
     * @param prompts        token ids of each row (no padding; rows may differ in length)
     * @param settings       budget, sampling and stop tokens
     * @param adapter        a registered adapter's name, or null for the base model
     * @param prefillPatches residual patches on the prompts (positions index each prompt's tokens)
     * @return one {@link Generation} per prompt, in order
     */
    public List<Generation> generate(List<int[]> prompts, GenerationSettings settings, String adapter,
                                     List<ResidualPatch> prefillPatches) {
        TokenBatch batch = TokenBatch.of(prompts);
        int rows = batch.size();
        int promptLength = batch.length();
        int room = model.config().contextLength() - promptLength;
        if (room <= 0) {
            throw new IllegalArgumentException("the longest prompt has " + promptLength + " tokens, the model's context is "
                    + model.config().contextLength() + ": nothing can be generated");
        }
        int budget = Math.min(settings.maxNewTokens(), room);
        Sampler sampler = settings.sampler();
        RandomGenerator[] randoms = new RandomGenerator[rows];
        List<List<Integer>> tokens = new ArrayList<>();
        List<List<Float>> logProbs = new ArrayList<>();
        StopReason[] reasons = new StopReason[rows];
        for (int b = 0; b < rows; b++) {
            randoms[b] = new Random(settings.seed() + b);
            tokens.add(new ArrayList<>());
            logProbs.add(new ArrayList<>());
        }

        try (NDManager manager = NDManager.newBaseManager();
             KvCache cache = model.newCache(rows, promptLength + budget)) {
            // prefill: the whole prompts, patched, filling the cache; logits of each row's last token
            ForwardRequest prefill = ForwardRequest.builder()
                    .setTokens(batch)
                    .optLogits(RowPositions.last())
                    .optCache(cache)
                    .optAdapter(adapter)
                    .optPatches(prefillPatches)
                    .build();
            float[][] logits = lastLogits(prefill, manager, rows);
            int[] next = new int[rows];
            for (int step = 1; ; step++) {
                boolean running = false;
                for (int b = 0; b < rows; b++) {
                    if (reasons[b] != null) {
                        next[b] = TokenBatch.PAD_ID;
                        continue;
                    }
                    int token = sampler.sample(logits[b], randoms[b]);
                    tokens.get(b).add(token);
                    logProbs.get(b).add(logProb(logits[b], token));
                    next[b] = token;
                    if (settings.stopTokens().contains(token)) {
                        reasons[b] = StopReason.STOP_TOKEN;
                    } else if (step == settings.maxNewTokens()) {
                        reasons[b] = StopReason.MAX_TOKENS;
                    } else if (step == budget) {
                        reasons[b] = StopReason.CONTEXT_FULL;
                    } else {
                        running = true;
                    }
                }
                if (!running) {
                    break;
                }
                // decode: one new token per row, attending over the cache
                int[][] column = new int[rows][];
                for (int b = 0; b < rows; b++) {
                    column[b] = new int[] {next[b]};
                }
                ForwardRequest decode = ForwardRequest.builder()
                        .setTokens(TokenBatch.of(column))
                        .optLogits(RowPositions.last())
                        .optCache(cache)
                        .optAdapter(adapter)
                        .build();
                logits = lastLogits(decode, manager, rows);
            }
        }
        List<Generation> generations = new ArrayList<>(rows);
        for (int b = 0; b < rows; b++) {
            int[] ids = tokens.get(b).stream().mapToInt(Integer::intValue).toArray();
            float[] lp = new float[ids.length];
            for (int i = 0; i < lp.length; i++) {
                lp[i] = logProbs.get(b).get(i);
            }
            generations.add(new Generation(ids, lp, reasons[b]));
        }
        return generations;
    }

    /** Runs a forward and copies its (B, V) logits to Java, freeing every array of the step. */
    private float[][] lastLogits(ForwardRequest request, NDManager manager, int rows) {
        try (NDScope scope = new NDScope()) {
            NDArray logits = model.forward(request, manager).logits();
            float[] flat = logits.getDataType() == DataType.FLOAT32
                    ? logits.toFloatArray()
                    : logits.toType(DataType.FLOAT32, false).toFloatArray();
            int vocab = flat.length / rows;
            float[][] perRow = new float[rows][vocab];
            for (int b = 0; b < rows; b++) {
                System.arraycopy(flat, b * vocab, perRow[b], 0, vocab);
            }
            return perRow;
        }
    }

    /** log softmax(logits)[token], in double. */
    static float logProb(float[] logits, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        return (float) (logits[token] - max - Math.log(sum));
    }
}
