package io.latentqa.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentqa.core.generate.Generation;
import io.latentqa.core.generate.GenerationSettings;
import io.latentqa.core.generate.Generator;
import io.latentqa.core.lit.LabelKind;
import io.latentqa.core.lit.LitActivations;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitLoss;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.ResidualPatch;
import io.latentqa.core.tokenizer.Tokenizer;
import io.latentqa.trainer.data.QaRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a decoder adapter on eval QA records: mean loss; multiple choice (the true answer among
 * {@code choices - 1} answers of other labels, ranked by log-likelihood with the activations, and
 * normalised by the same answers' log-likelihood without them), next to the controls of
 * {@link FidelityEval} (untrained model, another record's activations, no activations, and for records with a
 * hidden control the swapped read); exact match,
 * token F1 and ROUGE-L of greedy answers. No gradient, LoRA dropout off.
 */
public final class LitEvaluator {

    /**
     * How much to evaluate.
     *
     * @param lossExamples  examples in the loss (the first ones)
     * @param mcItems       multiple-choice items
     * @param choices       answers per item, the true one included (10 in the brief)
     * @param generate      greedy answers to generate
     * @param maxNewTokens  token budget of a greedy answer
     * @param seed          picks the distractors
     */
    public record Settings(int lossExamples, int mcItems, int choices, int generate, int maxNewTokens, long seed) {
    }

    private final Llama model;
    private final LitPromptBuilder builder;
    private final Tokenizer tokenizer;
    private final int readLayer;
    private final int writeLayer;

    public LitEvaluator(Llama model, LitPromptBuilder builder, Tokenizer tokenizer, int readLayer, int writeLayer) {
        this.model = model;
        this.builder = builder;
        this.tokenizer = tokenizer;
        this.readLayer = readLayer;
        this.writeLayer = writeLayer;
    }

    /**
     * @param records  eval records, parallel to {@code examples}
     * @param adapter  the decoder adapter's registered name
     */
    public EvalResult evaluate(List<QaRecord> records, List<LitExample> examples, String adapter, Settings settings) {
        try (GradMode noGrad = GradMode.off()) { // the adapter may be one in training: build no graph
            return evaluateWithoutGradient(records, examples, adapter, settings);
        }
    }

    private EvalResult evaluateWithoutGradient(List<QaRecord> records, List<LitExample> examples, String adapter,
                                               Settings settings) {
        double loss = loss(examples.subList(0, Math.min(settings.lossExamples(), examples.size())), adapter);
        int mcItems = Math.min(settings.mcItems(), examples.size());
        List<FidelityEval.Item> items = items(records, examples, mcItems, settings.choices(), settings.seed(), builder);
        Map<FidelityEval.Variant, FidelityEval.Score> mc = items.isEmpty() ? Map.of()
                : new FidelityEval(model, builder, readLayer, writeLayer).evaluate(items, adapter, settings.seed(), done -> { });
        int generate = Math.min(settings.generate(), examples.size());
        double em = 0;
        double f1 = 0;
        double rouge = 0;
        for (int i = 0; i < generate; i++) {
            String answer = greedyAnswer(examples.get(i).read(), records.get(i).question(), adapter, settings.maxNewTokens());
            String reference = records.get(i).answer();
            em += AnswerMetrics.exactMatch(answer, reference);
            f1 += AnswerMetrics.tokenF1(answer, reference);
            rouge += AnswerMetrics.rougeL(answer, reference);
        }
        return new EvalResult(loss, raw(mc, FidelityEval.Variant.DECODER), pmi(mc, FidelityEval.Variant.DECODER),
                pmi(mc, FidelityEval.Variant.UNTRAINED), pmi(mc, FidelityEval.Variant.SHUFFLED),
                raw(mc, FidelityEval.Variant.NO_ACTIVATIONS), generate == 0 ? Double.NaN : em / generate,
                generate == 0 ? Double.NaN : f1 / generate, generate == 0 ? Double.NaN : rouge / generate,
                Math.min(settings.lossExamples(), examples.size()), mcItems, generate, mc);
    }

    /**
     * The first {@code count} multiple-choice items: the true answer first, then distractors of other labels.
     * An item whose record hides a control (a system prompt, or a control turn and its reply) is also read with
     * its visible user turn under the hidden control of the record that {@code answers[1]} comes from (the first
     * distractor from a record of the same kind, moved there; the order of answers does not change a ranking):
     * the swapped read of {@link FidelityEval.Variant#SWAPPED_NEW}. Records with the target's own reply are not
     * swapped: that reply was written under the original control.
     */
    static List<FidelityEval.Item> items(List<QaRecord> records, List<LitExample> examples, int count, int choices, long seed,
                                         LitPromptBuilder builder) {
        List<String> labels = records.stream().map(QaRecord::label).toList();
        List<String> answers = records.stream().map(QaRecord::answer).toList();
        List<FidelityEval.Item> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> options = new ArrayList<>();
            options.add(answers.get(i));
            options.addAll(FidelityEval.distractors(labels, answers, i, choices - 1, seed));
            // the swap takes the first distractor that comes from a record of the same kind; it moves to answers[1]
            LitRecord swapped = null;
            for (int k = 1; k < options.size() && swapped == null; k++) {
                swapped = swappedControl(records, i, options.get(k));
                if (swapped != null) {
                    options.add(1, options.remove(k));
                }
            }
            FidelityEval.Item item = new FidelityEval.Item(labels.get(i), examples.get(i).read(), records.get(i).question(), options);
            items.add(swapped == null ? item : item.withSwapped(builder.read(swapped.readPrompt())));
        }
        return items;
    }

    /** Record {@code i}'s visible turn under the hidden control of the first record of another label answering {@code answer}. */
    private static LitRecord swappedControl(List<QaRecord> records, int i, String answer) {
        LitRecord own = records.get(i).record();
        for (QaRecord candidate : records) {
            if (candidate.label().equals(records.get(i).label()) || !candidate.answer().equals(answer)
                    || candidate.kind() != own.kind()) {
                continue;
            }
            return own.withControlOf(candidate.record());
        }
        return null;
    }

    /** Token-weighted mean training loss over the examples, in batches of 4. */
    public double loss(List<LitExample> examples, String adapter) {
        double sum = 0;
        long tokens = 0;
        for (int from = 0; from < examples.size(); from += 4) {
            List<LitExample> batch = examples.subList(from, Math.min(examples.size(), from + 4));
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray vectors = LitActivations.read(model, batch.stream().map(LitExample::read).toList(), readLayer, null,
                        false, manager);
                LitLoss.Result r = LitLoss.evaluate(model, batch.stream().map(LitExample::write).toList(), vectors, writeLayer,
                        LabelKind.TRAIN, adapter, false, manager);
                sum += r.batchLoss().getFloat() * r.targets().total();
                tokens += r.targets().total();
            }
        }
        return tokens == 0 ? Double.NaN : sum / tokens;
    }

    /** The decoder's greedy answer to a question about a read prompt's activations. */
    public String greedyAnswer(LitRead read, String question, String adapter, int maxNewTokens) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray vectors = LitActivations.read(model, List.of(read), readLayer, null, false, manager);
            LitWrite open = builder.write(read.vectorCount(), question, null);
            ResidualPatch patch = ResidualPatch.replace(writeLayer, new int[][]{open.placeholderPositions()}, vectors);
            Generation g = new Generator(model).generate(List.of(open.ids()),
                    GenerationSettings.greedy(maxNewTokens, tokenizer.stopTokens()), adapter, List.of(patch)).get(0);
            int[] tokens = g.tokens();
            int end = tokens.length;
            if (end > 0 && tokenizer.stopTokens().contains(tokens[end - 1])) {
                end--;
            }
            return tokenizer.decode(Arrays.copyOf(tokens, end)).trim();
        }
    }

    private static double raw(Map<FidelityEval.Variant, FidelityEval.Score> mc, FidelityEval.Variant variant) {
        return mc.isEmpty() ? Double.NaN : mc.get(variant).raw().value();
    }

    private static double pmi(Map<FidelityEval.Variant, FidelityEval.Score> mc, FidelityEval.Variant variant) {
        return mc.isEmpty() ? Double.NaN : mc.get(variant).pmi().value();
    }
}
