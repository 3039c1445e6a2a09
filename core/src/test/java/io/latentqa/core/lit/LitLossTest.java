package io.latentqa.core.lit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.latentqa.core.SharedFiles;
import io.latentqa.core.io.GgufCheckpoint;
import io.latentqa.core.io.SafetensorsFile;
import io.latentqa.core.model.Llama;
import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.HfTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LIT losses of the SmolLM2 reference (base model, no adapter; read after block 15, write after
 * block 0): {@code loss_patched_train}, {@code loss_patched_answer_only}, {@code loss_unpatched_answer_only}
 * and {@code answer_logprobs}, within 1e-3 absolute (SOURCE.md). The patched losses are checked twice:
 * with the read vectors of our own target forward, and with the reference's {@code read_activations}.
 */
class LitLossTest {

    private static final String[] KINDS = {"system", "stimulus", "control"};
    private static final int READ_LAYER = 15;
    private static final int WRITE_LAYER = 0;
    private static final double TOLERANCE = 1e-3;

    private static HfTokenizer tokenizer;
    private static LitPromptBuilder builder;
    private static SafetensorsFile reference;
    private static Llama model;
    private static final List<LitExample> EXAMPLES = new ArrayList<>();
    private static final List<JsonNode> CASES = new ArrayList<>();

    @BeforeAll
    static void load() {
        Path dir = SharedFiles.smollm2Dir();
        tokenizer = HfTokenizer.load(dir.resolve("tokenizer.json"), List.of("<|im_end|>", "<|endoftext|>"));
        builder = LitPromptBuilder.create(tokenizer, ChatTemplate.fromHfFolder(dir));
        reference = SafetensorsFile.open(dir.resolve("reference/reference.safetensors"));
        try (GgufCheckpoint checkpoint = GgufCheckpoint.open(dir.resolve("SmolLM2-135M-Instruct.Q4_1.gguf"))) {
            model = Llama.load(checkpoint, DataType.FLOAT32);
        }
        for (String kind : KINDS) {
            JsonNode c = LitReference.referenceCase(kind);
            MaskKind mask = switch (kind) {
                case "system" -> MaskKind.SYSTEM;
                case "stimulus" -> MaskKind.USER;
                default -> MaskKind.NONE;
            };
            CASES.add(c);
            EXAMPLES.add(builder.build(LitReference.messages(c), c.get("generation_prompt").asBoolean(), mask,
                    c.get("question").asText(), c.get("answer").asText()));
        }
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
        reference.close();
        tokenizer.close();
    }

    @Test
    void ourReadVectorsMatchTheReferenceActivations() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int k = 0; k < KINDS.length; k++) {
                LitRead read = EXAMPLES.get(k).read();
                float[] ours = LitActivations.read(model, List.of(read), READ_LAYER, null, false, manager).toFloatArray();
                float[] ref = referenceVectors(k);
                assertRowsClose(ref, ours, model.config().dim(), KINDS[k]);
            }
        }
    }

    @Test
    void patchedLossesMatchTheReferenceWithOurReadVectors() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int k = 0; k < KINDS.length; k++) {
                NDArray vectors = LitActivations.read(model, List.of(EXAMPLES.get(k).read()), READ_LAYER, null, false, manager);
                checkPatched(k, vectors, manager, "our read");
            }
        }
    }

    @Test
    void patchedLossesMatchTheReferenceWithTheReferenceActivations() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int k = 0; k < KINDS.length; k++) {
                int n = EXAMPLES.get(k).vectorCount();
                NDArray vectors = manager.create(referenceVectors(k), new Shape(n, model.config().dim()));
                checkPatched(k, vectors, manager, "reference read_activations");
            }
        }
    }

    @Test
    void unpatchedAnswerLossMatchesTheReference() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int k = 0; k < KINDS.length; k++) {
                LitLoss.Result r = LitLoss.evaluate(model, List.of(EXAMPLES.get(k).write()), null, WRITE_LAYER,
                        LabelKind.ANSWER_ONLY, null, false, manager);
                report(KINDS[k], "loss_unpatched_answer_only", CASES.get(k), r.batchLoss().getFloat());
            }
        }
    }

    /** All three examples in one left-padded batch give the single-example losses. */
    @Test
    void batchedLossesEqualTheSingleOnes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<LitRead> reads = EXAMPLES.stream().map(LitExample::read).toList();
            List<LitWrite> writes = EXAMPLES.stream().map(LitExample::write).toList();
            NDArray vectors = LitActivations.read(model, reads, READ_LAYER, null, false, manager); // (sum n, d)
            assertEquals(EXAMPLES.stream().mapToInt(LitExample::vectorCount).sum(), vectors.getShape().get(0));

            LitLoss.Result train = LitLoss.evaluate(model, writes, vectors, WRITE_LAYER, LabelKind.TRAIN, null, false, manager);
            LitLoss.Result answer = LitLoss.evaluate(model, writes, vectors, WRITE_LAYER, LabelKind.ANSWER_ONLY, null, false, manager);
            float[] perTrain = train.exampleLosses().toFloatArray();
            float[] perAnswer = answer.exampleLosses().toFloatArray();
            double weighted = 0;
            for (int k = 0; k < KINDS.length; k++) {
                report(KINDS[k] + " (batched)", "loss_patched_train", CASES.get(k), perTrain[k]);
                report(KINDS[k] + " (batched)", "loss_patched_answer_only", CASES.get(k), perAnswer[k]);
                weighted += CASES.get(k).get("loss_patched_train").asDouble() * train.targets().counts()[k];
            }
            // the batch loss is the mean over all loss tokens of the batch, not the mean of the example means
            double expected = weighted / train.targets().total();
            System.out.printf("batch loss_patched_train: %.6f, token-weighted reference %.6f, |diff| %.2e%n",
                    train.batchLoss().getFloat(), expected, Math.abs(train.batchLoss().getFloat() - expected));
            assertEquals(expected, train.batchLoss().getFloat(), TOLERANCE);
        }
    }

    // ----------------------------------------------------------------------------------------------

    private void checkPatched(int k, NDArray vectors, NDManager manager, String source) {
        LitWrite write = EXAMPLES.get(k).write();
        String what = KINDS[k] + " (" + source + ")";
        LitLoss.Result train = LitLoss.evaluate(model, List.of(write), vectors, WRITE_LAYER, LabelKind.TRAIN, null, false, manager);
        report(what, "loss_patched_train", CASES.get(k), train.batchLoss().getFloat());
        LitLoss.Result answer = LitLoss.evaluate(model, List.of(write), vectors, WRITE_LAYER, LabelKind.ANSWER_ONLY, null, false, manager);
        report(what, "loss_patched_answer_only", CASES.get(k), answer.batchLoss().getFloat());
        assertEquals(answer.batchLoss().getFloat(), answer.exampleLosses().getFloat(0), 1e-6, "one row: batch = example");

        float[] expected = reference.readFloats("lit." + KINDS[k] + ".answer_logprobs");
        float[] actual = answer.tokenLogProbs().toFloatArray();
        assertEquals(expected.length, actual.length, what + ": answer tokens");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("%-40s answer_logprobs (%d tokens) max |diff| %.2e%n", what, expected.length, worst);
        assertTrue(worst <= TOLERANCE, what + ": answer log-probs differ by " + worst);
    }

    private static void report(String what, String key, JsonNode c, double actual) {
        double expected = c.get(key).asDouble();
        System.out.printf("%-40s %-28s %.6f vs reference %.6f, |diff| %.2e%n", what, key, actual, expected,
                Math.abs(actual - expected));
        assertEquals(expected, actual, TOLERANCE, what + " " + key);
    }

    /** The reference read activations at the example's vector index: (n, d). */
    private float[] referenceVectors(int k) {
        float[] all = reference.readFloats("lit." + KINDS[k] + ".read_activations"); // (L, d)
        return EXAMPLES.get(k).read().gather(all, model.config().dim());
    }

    /** Residual tolerance of SOURCE.md: per row, max-abs <= 1e-4 * (largest |value| in the reference row) + 1e-3. */
    private static void assertRowsClose(float[] expected, float[] actual, int dim, String what) {
        assertEquals(expected.length, actual.length);
        double worstRatio = 0;
        for (int row = 0; row < expected.length / dim; row++) {
            double max = 0;
            double diff = 0;
            for (int i = row * dim; i < (row + 1) * dim; i++) {
                max = Math.max(max, Math.abs(expected[i]));
                diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
            }
            double allowed = 1e-4 * max + 1e-3;
            worstRatio = Math.max(worstRatio, diff / allowed);
            assertTrue(diff <= allowed, what + " row " + row + ": max |diff| " + diff + " > " + allowed);
        }
        System.out.printf("%-40s read vectors: worst row diff = %.3f of tolerance%n", what, worstRatio);
    }
}
