package io.latentqa.steering.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentqa.core.generate.Generation;
import io.latentqa.core.generate.GenerationSettings;
import io.latentqa.core.generate.Generator;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.ReadPrompt;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.Tokenizer;

/**
 * The target as a chat model: greedy answers to dialogs rendered with its own chat template (with a steering adapter
 * or none), and the log-likelihood of given answers under it (fluency).
 */
public final class TargetChat {

    /** Rows per batch. */
    private static final int BATCH = 8;

    /**
     * One answer.
     *
     * @param prompt the rendered prompt's ids
     * @param tokens the answer's ids, without the stop token
     */
    public record Answer(String text, int[] prompt, int[] tokens) {
    }

    private final Llama model;
    private final LitPromptBuilder builder;
    private final Tokenizer tokenizer;

    public TargetChat(Llama model, LitPromptBuilder builder, Tokenizer tokenizer) {
        this.model = model;
        this.builder = builder;
        this.tokenizer = tokenizer;
    }

    /** The dialog of one user turn. */
    public static List<ChatMessage> user(String turn) {
        return List.of(ChatMessage.user(turn));
    }

    /** Greedy answers, each dialog ending with the generation prompt. */
    public List<Answer> answer(List<List<ChatMessage>> dialogs, int maxNewTokens, String adapter) {
        Generator generator = new Generator(model);
        GenerationSettings settings = GenerationSettings.greedy(maxNewTokens, tokenizer.stopTokens());
        List<Answer> answers = new ArrayList<>();
        for (int from = 0; from < dialogs.size(); from += BATCH) {
            List<int[]> prompts = new ArrayList<>();
            for (List<ChatMessage> dialog : dialogs.subList(from, Math.min(dialogs.size(), from + BATCH))) {
                prompts.add(builder.read(ReadPrompt.unmasked(dialog, true)).ids());
            }
            List<Generation> generations = generator.generate(prompts, settings, adapter, List.of());
            for (int i = 0; i < generations.size(); i++) {
                int[] tokens = generations.get(i).tokens();
                int n = tokens.length;
                if (n > 0 && tokenizer.stopTokens().contains(tokens[n - 1])) {
                    n--;
                }
                int[] kept = Arrays.copyOf(tokens, n);
                answers.add(new Answer(tokenizer.decode(kept).strip(), prompts.get(i), kept));
            }
        }
        return answers;
    }

    /**
     * The mean negative log-likelihood per token of each answer given its prompt, under the model with {@code adapter}
     * (null: the target as it is); NaN for an empty answer. exp of it is the answer's perplexity.
     */
    public double[] answerNll(List<Answer> answers, String adapter) {
        double[] nll = new double[answers.size()];
        try (GradMode off = GradMode.off()) {
            for (int from = 0; from < answers.size(); from += BATCH) {
                List<Answer> batch = answers.subList(from, Math.min(answers.size(), from + BATCH));
                List<int[]> rows = new ArrayList<>();
                int[][] positions = new int[batch.size()][];
                List<Integer> targets = new ArrayList<>();
                for (int b = 0; b < batch.size(); b++) {
                    Answer a = batch.get(b);
                    int[] ids = new int[a.prompt().length + a.tokens().length];
                    System.arraycopy(a.prompt(), 0, ids, 0, a.prompt().length);
                    System.arraycopy(a.tokens(), 0, ids, a.prompt().length, a.tokens().length);
                    rows.add(ids);
                    // the logits at position t predict token t + 1: the positions before each answer token
                    positions[b] = new int[a.tokens().length];
                    for (int k = 0; k < a.tokens().length; k++) {
                        positions[b][k] = a.prompt().length - 1 + k;
                        targets.add(a.tokens()[k]);
                    }
                }
                try (NDManager manager = NDManager.newBaseManager()) {
                    NDArray logits = model.forward(ForwardRequest.builder().setTokens(TokenBatch.of(rows))
                            .optLogits(RowPositions.at(positions)).optAdapter(adapter).build(), manager).logits(); // (N, V)
                    float[] logProbs = logits.logSoftmax(-1).toType(DataType.FLOAT32, false).toFloatArray();
                    int vocab = (int) logits.getShape().get(1);
                    int i = 0;
                    for (int b = 0; b < batch.size(); b++) {
                        double sum = 0;
                        for (int k = 0; k < positions[b].length; k++, i++) {
                            sum -= logProbs[i * vocab + targets.get(i)];
                        }
                        nll[from + b] = positions[b].length == 0 ? Double.NaN : sum / positions[b].length;
                    }
                }
            }
        }
        return nll;
    }
}
