package io.latentqa.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.Positions;
import io.latentqa.core.generate.Generation;
import io.latentqa.core.generate.GenerationSettings;
import io.latentqa.core.generate.Generator;
import io.latentqa.core.generate.Sampler;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.ResidualPatch;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;
import io.latentqa.decoder.reading.CandidateScore;
import io.latentqa.decoder.reading.DecoderReader;
import io.latentqa.decoder.reading.IncompatibleActivationsException;
import io.latentqa.decoder.reading.ReadItem;
import io.latentqa.decoder.reading.ReadVectors;
import io.latentqa.decoder.reading.Reading;
import io.latentqa.decoder.reading.ScoreItem;
import io.latentqa.decoder.runtime.ModelHolder;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * {@link DecoderReader} on SmolLM2 against the engine's LatentQA reference ({@code lit.control}, base model, read
 * after block 15, write after block 0). Runs in the Quarkus test JVM to share its one model load.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DecoderReaderTest {

    private static final int MAX_NEW_TOKENS = 16;
    private static final int IM_END = 2;

    @Inject
    ModelHolder holder;

    @Test
    void shownVectorsAndWriteIdsAreTheReferenceOnes() {
        DecoderReader reader = holder.reader();
        ReadVectors vectors = reader.vectors(ReferenceEvents.control(holder, "ref-vectors", ActivationEvent.Source.EVAL),
                ReferenceEvents.READ_LAYER);
        int d = holder.model().config().dim();
        int[] vectorIndex = ReferenceEvents.ints("lit.control.vector_index");
        float[] all = ReferenceEvents.floats("lit.control.read_activations");
        assertEquals(vectorIndex.length, vectors.count(), "n = T - 1");
        for (int i = 0; i < vectorIndex.length; i++) {
            assertEquals(i + 1, vectorIndex[i], "unmasked reading shows A[1 … T−1]");
            assertArrayEquals(Arrays.copyOfRange(all, vectorIndex[i] * d, (vectorIndex[i] + 1) * d),
                    Arrays.copyOfRange(vectors.vectors(), i * d, (i + 1) * d));
        }
        // the open write input is the reference write input (which goes on with the answer) up to the open reflect turn
        LitWrite open = reader.openWrite(vectors.count(), ReferenceEvents.CONTROL_QUESTION);
        int[] referenceWrite = ReferenceEvents.ints("lit.control.write_ids");
        assertArrayEquals(Arrays.copyOf(referenceWrite, open.length()), open.ids());
        assertArrayEquals(ReferenceEvents.ints("lit.control.placeholder_positions"), open.placeholderPositions());
    }

    /**
     * The same comparison with the stop tokens switched off, so that all 16 steps of the KV-cache path (patch at
     * prefill only) are checked against the cache-less loop (patch at every step), not just the first.
     */
    @Test
    void withoutStopTokensAllStepsEqualTheCacheLessLoop() {
        DecoderReader reader = holder.reader();
        ReadVectors vectors = reader.vectors(ReferenceEvents.control(holder, "ref-nostop", ActivationEvent.Source.EVAL),
                ReferenceEvents.READ_LAYER);
        Reading reading = reader.read(List.of(new ReadItem(vectors, ReferenceEvents.CONTROL_QUESTION)),
                GenerationSettings.greedy(MAX_NEW_TOKENS, java.util.Set.of()), null, 0).get(0);
        int[] direct = cacheLessGreedy(vectors, -1);
        System.out.printf("control case, no stop: %s%n", Arrays.toString(direct));
        assertEquals(MAX_NEW_TOKENS, direct.length);
        assertArrayEquals(direct, reading.tokenIds());
    }

    /** Greedy tokens of the base model on the reference's open write ids, re-running the patched sequence each step. */
    private int[] cacheLessGreedy(ReadVectors vectors, int stopToken) {
        Llama model = holder.model();
        int d = model.config().dim();
        int[] sequence = Arrays.copyOf(ReferenceEvents.ints("lit.control.write_ids"),
                holder.reader().openWrite(vectors.count(), ReferenceEvents.CONTROL_QUESTION).length());
        int[] placeholders = ReferenceEvents.ints("lit.control.placeholder_positions");
        float[] all = ReferenceEvents.floats("lit.control.read_activations");
        float[] shown = Arrays.copyOfRange(all, d, all.length); // rows 1 … 47
        List<Integer> tokens = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray patch = manager.create(shown, new Shape(placeholders.length, d));
            for (int step = 0; step < MAX_NEW_TOKENS; step++) {
                ForwardRequest request = ForwardRequest.builder()
                        .setTokens(TokenBatch.of(List.of(sequence)))
                        .optLogits(RowPositions.last())
                        .optPatch(ResidualPatch.replace(0, new int[][] {placeholders}, patch))
                        .build();
                float[] logits;
                try (NDManager stepManager = manager.newSubManager()) {
                    logits = model.forward(request, stepManager).logits().toFloatArray();
                }
                int next = Sampler.ARGMAX.sample(logits, null);
                tokens.add(next);
                if (next == stopToken) {
                    break;
                }
                sequence = Arrays.copyOf(sequence, sequence.length + 1);
                sequence[sequence.length - 1] = next;
            }
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The control case: our answer equals the base model's greedy answer computed in-process without a KV cache,
     * re-running the whole patched sequence at every step (the reference's use_cache=false loop, method doc §3.5).
     */
    @Test
    void controlCaseAnswerEqualsTheBaseModelsGreedyAnswerComputedDirectly() {
        DecoderReader reader = holder.reader();
        ActivationEvent event = ReferenceEvents.control(holder, "ref-control", ActivationEvent.Source.EVAL);
        ReadVectors vectors = reader.vectors(event, ReferenceEvents.READ_LAYER);
        Reading reading = reader.read(List.of(new ReadItem(vectors, ReferenceEvents.CONTROL_QUESTION)),
                reader.greedy(MAX_NEW_TOKENS), null, 0).get(0);

        Llama model = holder.model();
        int d = model.config().dim();
        int[] write = Arrays.copyOf(ReferenceEvents.ints("lit.control.write_ids"),
                reader.openWrite(vectors.count(), ReferenceEvents.CONTROL_QUESTION).length());
        int[] placeholders = ReferenceEvents.ints("lit.control.placeholder_positions");
        float[] all = ReferenceEvents.floats("lit.control.read_activations");
        float[] shown = Arrays.copyOfRange(all, d, all.length); // rows 1 … 47
        List<Integer> expected = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray patch = manager.create(shown, new Shape(placeholders.length, d));
            int[] sequence = write;
            for (int step = 0; step < MAX_NEW_TOKENS; step++) {
                ForwardRequest request = ForwardRequest.builder()
                        .setTokens(TokenBatch.of(List.of(sequence)))
                        .optLogits(RowPositions.last())
                        .optPatch(ResidualPatch.replace(0, new int[][] {placeholders}, patch))
                        .build();
                float[] logits;
                try (NDManager stepManager = manager.newSubManager()) {
                    logits = model.forward(request, stepManager).logits().toFloatArray();
                }
                int next = Sampler.ARGMAX.sample(logits, null);
                expected.add(next);
                if (next == IM_END) {
                    break;
                }
                sequence = Arrays.copyOf(sequence, sequence.length + 1);
                sequence[sequence.length - 1] = next;
            }
            // and the engine's cached generator on the same patched ids
            Generation cached = new Generator(model).generate(List.of(write),
                    GenerationSettings.greedy(MAX_NEW_TOKENS, reader.stopTokens()), null,
                    List.of(ResidualPatch.replace(0, new int[][] {placeholders}, patch))).get(0);
            assertArrayEquals(cached.tokens(), reading.tokenIds(), "reader vs Generator on the reference ids");
        }
        int[] direct = expected.stream().mapToInt(Integer::intValue).toArray();
        System.out.printf("control case answer (%d tokens): %s%n", direct.length, reading.answer());
        assertArrayEquals(direct, reading.tokenIds(), "reader vs cache-less greedy loop");
        assertEquals(reading.tokenIds().length, reading.logProbs().length);
        for (float lp : reading.logProbs()) {
            assertTrue(lp <= 0 && Float.isFinite(lp));
        }
    }

    /** Scoring the reference answer gives the reference's patched answer log-probabilities (1e-3 per token). */
    @Test
    void scoreOfTheReferenceAnswerIsTheReferenceLogLikelihood() {
        DecoderReader reader = holder.reader();
        ReadVectors vectors = reader.vectors(ReferenceEvents.control(holder, "ref-score", ActivationEvent.Source.EVAL),
                ReferenceEvents.READ_LAYER);
        float[] reference = ReferenceEvents.floats("lit.control.answer_logprobs");
        double expected = 0;
        for (float lp : reference) {
            expected += lp;
        }
        List<CandidateScore> scores = reader.score(vectors, ReferenceEvents.CONTROL_QUESTION,
                List.of(ReferenceEvents.CONTROL_ANSWER, "The assistant speaks like a pirate."), true, null, 0);
        CandidateScore answer = scores.get(0);
        System.out.printf("log-likelihood %.5f vs reference %.5f (%d tokens); baseline %.5f%n", answer.logLikelihood(),
                expected, answer.tokens(), answer.baselineLogLikelihood());
        assertEquals(reference.length, answer.tokens());
        assertEquals(expected, answer.logLikelihood(), 1e-3 * reference.length);
        assertEquals(answer.score(), answer.logLikelihood() - answer.baselineLogLikelihood(), 1e-9);
        assertEquals(1.0, scores.stream().mapToDouble(CandidateScore::probability).sum(), 1e-9);
    }

    /** Monitors score together: one batch over two questions about two events equals scoring each alone. */
    @Test
    void batchedScoringAcrossQuestionsAndEventsEqualsScoringEachAlone() {
        DecoderReader reader = holder.reader();
        ActivationEvent full = ReferenceEvents.control(holder, "ref-batch-full", ActivationEvent.Source.EVAL);
        int d = full.dModel();
        ActivationEvent prefix = new ActivationEvent(full.modelId(), full.modelDigest(), full.layers(), Positions.ALL,
                full.source(), "ref-batch-prefix", full.createdAt(), null, Arrays.copyOf(full.tokenIds(), 20), 20, d,
                Arrays.copyOf(full.activations(), 20 * d));
        List<ScoreItem> items = List.of(
                new ScoreItem(reader.vectors(full, ReferenceEvents.READ_LAYER), ReferenceEvents.CONTROL_QUESTION,
                        List.of(ReferenceEvents.CONTROL_ANSWER, "The assistant speaks like a pirate."), true),
                new ScoreItem(reader.vectors(prefix, ReferenceEvents.READ_LAYER), "Is the assistant hiding something?",
                        List.of("Yes.", "No.", "I cannot tell."), false));

        List<List<CandidateScore>> batched = reader.score(items, null, 0);
        for (int i = 0; i < items.size(); i++) {
            ScoreItem item = items.get(i);
            List<CandidateScore> alone = reader.score(item.vectors(), item.question(), item.answers(), item.normalise(),
                    null, 0);
            for (int k = 0; k < alone.size(); k++) {
                CandidateScore a = alone.get(k);
                CandidateScore b = batched.get(i).get(k);
                assertEquals(a.answer(), b.answer());
                assertEquals(a.tokens(), b.tokens());
                assertEquals(a.logLikelihood(), b.logLikelihood(), 1e-3 * a.tokens(), "item " + i + " " + a.answer());
                assertEquals(a.score(), b.score(), 2e-3 * a.tokens(), "item " + i + " " + a.answer());
                assertEquals(a.rank(), b.rank(), "item " + i + " " + a.answer());
            }
            assertEquals(item.normalise(), batched.get(i).get(0).baselineLogLikelihood() != null);
        }
    }

    @Test
    void eventsTheDecoderCannotReadAreRefusedWithTheReason() {
        DecoderReader reader = holder.reader();
        ActivationEvent good = ReferenceEvents.control(holder, "ref-bad", ActivationEvent.Source.EVAL);
        ActivationEvent last = new ActivationEvent(good.modelId(), good.modelDigest(), good.layers(), Positions.last(4),
                good.source(), good.requestId(), good.createdAt(), null,
                Arrays.copyOfRange(good.tokenIds(), 44, 48), 4, good.dModel(),
                Arrays.copyOfRange(good.activations(), 44 * good.dModel(), 48 * good.dModel()));
        assertTrue(assertThrows(IncompatibleActivationsException.class, () -> reader.vectors(last, 15)).getMessage()
                .contains("positions 'all'"));
        assertTrue(assertThrows(IncompatibleActivationsException.class, () -> reader.vectors(good, 7)).getMessage()
                .contains("decoder reads block 7"));
        ActivationEvent other = ReferenceEvents.control("Other-Model", "cd".repeat(32), "ref-other", good.dModel());
        assertTrue(assertThrows(IncompatibleActivationsException.class, () -> reader.checkModel(other)).getMessage()
                .startsWith("unknown model 'Other-Model'"));
    }
}
