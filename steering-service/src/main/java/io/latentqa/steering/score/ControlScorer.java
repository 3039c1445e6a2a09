package io.latentqa.steering.score;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.lit.LabelKind;
import io.latentqa.core.lit.LitLoss;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.Llama;

/**
 * A control's score on one activation event: the decoder's mean NLL of the control's answers given the event's
 * vectors (method doc §6's control loss, on live traffic instead of a training prompt). Lower means the target's
 * activations are closer to the control's behaviour.
 */
public final class ControlScorer {

    /** Decoder rows (event x QA pair) per forward. */
    private static final int ROWS = 8;

    private final Llama model;
    private final LitPromptBuilder builder;

    public ControlScorer(Llama model, LitPromptBuilder builder) {
        this.model = model;
        this.builder = builder;
    }

    /**
     * @param vectors    (n, d) row-major float32: the read-layer residuals A[1 … T−1] of the event
     * @param n          the number of vectors
     * @param qa         the control's pairs
     * @param decoder    the decoder adapter registered on the model, or null for the base model
     * @param writeLayer block after which the decoder takes the vectors
     * @return the mean over the pairs of each answer's mean NLL
     */
    public double score(float[] vectors, int n, List<String[]> qa, String decoder, int writeLayer) {
        int d = model.config().dim();
        double sum = 0;
        try (GradMode off = GradMode.off()) {
            for (int from = 0; from < qa.size(); from += ROWS) {
                List<String[]> pairs = qa.subList(from, Math.min(qa.size(), from + ROWS));
                List<LitWrite> writes = new ArrayList<>();
                float[] all = new float[pairs.size() * n * d];
                for (int i = 0; i < pairs.size(); i++) {
                    writes.add(builder.write(n, pairs.get(i)[0], pairs.get(i)[1]));
                    System.arraycopy(vectors, 0, all, i * n * d, n * d);
                }
                try (NDManager manager = NDManager.newBaseManager()) {
                    NDArray patch = manager.create(all, new Shape((long) pairs.size() * n, d)).toType(model.dataType(), false);
                    LitLoss.Result result = LitLoss.evaluate(model, writes, patch, writeLayer, LabelKind.ANSWER_ONLY, decoder, false,
                            manager);
                    for (double loss : result.exampleLosses().toType(DataType.FLOAT64, false).toDoubleArray()) {
                        sum += loss;
                    }
                }
            }
        }
        return sum / qa.size();
    }
}
