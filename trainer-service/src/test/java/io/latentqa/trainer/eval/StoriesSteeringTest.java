package io.latentqa.trainer.eval;

import io.latentqa.core.generate.Generation;
import io.latentqa.core.generate.GenerationSettings;
import io.latentqa.core.generate.Generator;
import io.latentqa.core.grammar.StoryGrammar;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.ReadPrompt;
import io.latentqa.core.model.Llama;
import io.latentqa.core.steer.Steerer;
import io.latentqa.core.steer.SteeringConfig;
import io.latentqa.core.steer.SteeringDraw;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.Llama2cTokenizer;
import io.latentqa.trainer.eval.FidelityEval.Interval;
import io.latentqa.trainer.lit.SmolLm2Fixture;
import io.latentqa.trainer.lit.Stories260kFixture;
import io.latentqa.trainer.lit.TrainingConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Control by the decoder's loss (method doc §6) end to end on stories260K: a steering LoRA trained against the
 * decoder of the stories fidelity test ({@link StoriesDecoder}, frozen) on the control "the story is about a cat"
 * makes the target tell cat stories from held-out story openings it was never steered on, far more often than
 * the unsteered target does, and the control loss falls on those held-out openings.
 *
 * <p><b>Prompts.</b> Story prefixes in the grammar's opening form, cut right before the character: one of
 * {@link #TEMPLATES} ("Once upon a time there was a happy little", "Once there was a shy little", …; every one
 * starts with "Once", the decoder's reference token) with one of {@link #ADJECTIVES} (the grammar's ten moods and
 * ten more TinyStories adjectives): 140 distinct prefixes, shuffled with seed {@link #SPLIT_SEED} and cut in
 * two disjoint halves, the steering pool (70) and the held-out openings (70). The unsteered target continues
 * them with a child ("girl named Lily", "boy named Tim") or another animal.
 *
 * <p><b>Control samples</b>, as §6 makes them from a prompt pool: every pool prefix read (a) alone and (b)
 * followed by the unsteered target's own greedy continuation ({@link #RESPONSE_TOKENS} tokens), each with the
 * one QA pair ("What animal is the story about?", "cat"): the question and the bare-value answer format the
 * decoder was trained on (the fidelity test's animal question). {@link SteeringDraw} shuffles the 2 · 70 = 140
 * samples and the steerer takes one step per sample, one pass, as control.py does.
 *
 * <p><b>Hyperparameters</b>: the method's control recipe {@link SteeringConfig#defaults} unchanged (LoRA r 16,
 * alpha 32, dropout 0.1 on q k v o gate up down of blocks 0 … 3, Adam at 1e-4, one loss at the read layer 3,
 * decoder write layer 0, seed 42), but 140 steps instead of the recipe's 50. Both were chosen on the steering
 * pool only (split into 46 steering and 24 validation prefixes; the held-out half was never generated from
 * while choosing), measuring the validation share of cat stories and the control loss:
 * <ul>
 *   <li>steps: at lr 1e-4, 50 steps lower the loss from 3.9 to 2.6 but make no cat story (0 / 24); 100 steps
 *       make 0.92, 140 steps 1.00, 1.00 and 0.96 with steering seeds 42, 43 and 7; 200 steps still 1.00 but
 *       the stories grow repetitive. 140 is also one pass over the 140 samples of the 70-prefix pool.</li>
 *   <li>learning rate: 1e-3 reaches the loss floor (about 1.78) in 20 steps and wrecks the target (it emits
 *       "tttt…", cat share 0); 3e-4 peaks at 0.88 after 50 steps and collapses by 100 ("It was a big clown." on
 *       repeat); 2e-4 works but degrades the text more than 1e-4. So the method's 1e-4 stays.</li>
 *   <li>single-layer, not per-layer: per-layer at 1e-4 lowers the loss only to 3.2 in 50 steps and makes no cat
 *       story; the decoder was trained on block 3's output only, so the losses at blocks 0-2 read it out of
 *       distribution.</li>
 *   <li>reads (a) and (b): (a) alone works too (0.88 on validation after 100 steps); both are the method's.</li>
 * </ul>
 *
 * <p><b>Measure</b>: a story is about a cat when the word "cat" (whole word, any case) is among the first
 * {@link #MEASURE_TOKENS} greedy tokens the target generates from the prefix (the character comes next, so
 * this covers "little cat named Kitty" and "little bird. One day a cat…"). Greedy decoding is deterministic, so
 * each held-out prefix is one paired trial, steered and unsteered.
 *
 * <p><b>Assertions</b> (thresholds fixed before the held-out half was generated from):
 * <ul>
 *   <li>the steered share of cat stories on the 70 held-out prefixes exceeds the unsteered share by at least
 *       {@link #MARGIN} (50 points: validation showed 0.96-1.00 against 0), and the exact one-sided sign test on
 *       the prefixes that changed (McNemar) rejects "steering does not matter" at p &lt; 1e-3;</li>
 *   <li>the control loss (the decoder's NLL of "cat" reading the target) on the held-out samples, (a) and (b),
 *       falls with the steering adapter on to below {@link #LOSS_RATIO} of the unsteered loss (validation: 3.9 →
 *       1.8, a ratio of 0.47);</li>
 *   <li>a control: the same steering with the untrained model as the decoder (no LIT adapter) does not make cat
 *       stories; the trained decoder's steered share exceeds it by {@link #MARGIN} too (on validation: 0 / 24 and
 *       damaged text), so it is the decoder's reading, not the gradient through any LM, that steers.</li>
 * </ul>
 */
class StoriesSteeringTest {

    static final List<String> TEMPLATES = List.of(
            "Once upon a time there was %s little",
            "Once upon a time, there was %s little",
            "Once upon a time there lived %s little",
            "Once upon a time, there lived %s little",
            "Once there was %s little",
            "Once upon a time in a big forest there was %s little",
            "Once upon a time in a small town there lived %s little");
    static final List<String> ADJECTIVES = adjectives();
    static final long SPLIT_SEED = 5;
    static final int POOL = 70;
    static final long DRAW_SEED = 42;
    static final int STEPS = 2 * POOL;
    static final int RESPONSE_TOKENS = 40;
    static final int MEASURE_TOKENS = 20;
    static final String ATTRIBUTE = "cat";
    static final double MARGIN = 0.5;
    static final double LOSS_RATIO = 0.75;
    static final Pattern ABOUT_A_CAT = Pattern.compile("\\b" + ATTRIBUTE + "\\b", Pattern.CASE_INSENSITIVE);

    private static Llama model;
    private static LitPromptBuilder builder;
    private static Llama2cTokenizer tokenizer;
    private static StoriesDecoder.Trained decoder;

    @BeforeAll
    static void load() {
        model = Stories260kFixture.model();
        builder = Stories260kFixture.builder();
        tokenizer = Llama2cTokenizer.load(SmolLm2Fixture.shared().resolve("models/stories260K/tok512.bin"));
        decoder = StoriesDecoder.trained();
    }

    @Test
    void steeringAgainstTheStoriesDecoderMakesHeldOutStoriesAboutACat() {
        long started = System.nanoTime();
        List<String> prefixes = new ArrayList<>();
        for (String template : TEMPLATES) {
            for (String adjective : ADJECTIVES) {
                prefixes.add(String.format(template, withArticle(adjective)));
            }
        }
        assertEquals(prefixes.size(), prefixes.stream().distinct().count(), "the prefixes must be distinct");
        Collections.shuffle(prefixes, new Random(SPLIT_SEED));
        List<String> pool = prefixes.subList(0, POOL);
        List<String> heldOut = prefixes.subList(POOL, prefixes.size());
        assertTrue(heldOut.size() >= 40, "too few held-out prefixes for the margin to mean anything: " + heldOut.size());

        // the control samples: every pool prefix read alone (a) and with the target's own continuation (b)
        TrainingConfig recipe = decoder.config();
        List<String> poolResponses = generate(pool, RESPONSE_TOKENS, null);
        List<SteeringDraw> draws = SteeringDraw.draw(pool.size(), 1, STEPS, DRAW_SEED);
        assertEquals(STEPS, draws.size(), "one pass over every sample");
        List<LitExample> samples = draws.stream()
                .map(d -> sample(pool.get(d.prompt()), d.withResponse() ? poolResponses.get(d.prompt()) : null))
                .toList();
        List<String> heldOutResponses = generate(heldOut, RESPONSE_TOKENS, null);
        List<LitExample> heldOutSamples = new ArrayList<>();
        for (int i = 0; i < heldOut.size(); i++) {
            heldOutSamples.add(sample(heldOut.get(i), null));
            heldOutSamples.add(sample(heldOut.get(i), heldOutResponses.get(i)));
        }
        SteeringConfig config = SteeringConfig.defaults(recipe.readLayer(), recipe.writeLayer());

        List<String> unsteered = generate(heldOut, MEASURE_TOKENS, null);
        List<String> steered;
        List<String> steeredExamples;
        double lossBefore;
        double lossAfter;
        double trainFirst = 0;
        double trainLast = 0;
        try (Steerer steerer = Steerer.start(model, config, "stories-steer-cat", decoder.adapter())) {
            for (LitExample sample : samples) {
                Steerer.Step step = steerer.step(sample);
                if (step.step() <= 20) {
                    trainFirst += step.loss() / 20;
                }
                if (step.step() > STEPS - 20) {
                    trainLast += step.loss() / 20;
                }
            }
            lossBefore = steerer.loss(heldOutSamples, false);
            lossAfter = steerer.loss(heldOutSamples, true);
            steered = generate(heldOut, MEASURE_TOKENS, steerer.adapter().name());
            steeredExamples = generate(heldOut.subList(0, 3), RESPONSE_TOKENS, steerer.adapter().name());
        }
        // the control: the same job with the untrained model reading (no decoder adapter)
        List<String> untrainedSteered;
        double untrainedBefore;
        double untrainedAfter;
        try (Steerer steerer = Steerer.start(model, config, "stories-steer-cat-untrained", null)) {
            samples.forEach(steerer::step);
            untrainedBefore = steerer.loss(heldOutSamples, false);
            untrainedAfter = steerer.loss(heldOutSamples, true);
            untrainedSteered = generate(heldOut, MEASURE_TOKENS, steerer.adapter().name());
        }

        int n = heldOut.size();
        int before = count(unsteered);
        int after = count(steered);
        int control = count(untrainedSteered);
        int gained = 0;
        int lost = 0;
        for (int i = 0; i < n; i++) {
            boolean was = aboutACat(unsteered.get(i));
            boolean is = aboutACat(steered.get(i));
            gained += !was && is ? 1 : 0;
            lost += was && !is ? 1 : 0;
        }
        double p = signTestP(gained, lost);
        Interval shareBefore = Interval.wilson(before, n);
        Interval shareAfter = Interval.wilson(after, n);
        Interval shareControl = Interval.wilson(control, n);
        System.out.printf("[stats] stories steering '%s': %d pool prefixes, %d steps at lr %.0e, training loss %.3f (first 20) -> %.3f"
                        + " (last 20); %.1f s%n", ATTRIBUTE, pool.size(), STEPS, config.learningRate(), trainFirst, trainLast,
                (System.nanoTime() - started) / 1e9);
        System.out.printf("[stats] held-out control loss (%d samples): unsteered %.3f, steered %.3f (ratio %.2f); untrained decoder:"
                + " %.3f -> %.3f%n", heldOutSamples.size(), lossBefore, lossAfter, lossAfter / lossBefore, untrainedBefore, untrainedAfter);
        System.out.printf("[stats] held-out stories about a %s (%d prefixes, first %d tokens): unsteered %d (%.1f %% [%.1f, %.1f]),"
                        + " steered %d (%.1f %% [%.1f, %.1f]), steered through the untrained model %d (%.1f %% [%.1f, %.1f]);"
                        + " changed %d up, %d down, sign test p = %.2g%n", ATTRIBUTE, n, MEASURE_TOKENS,
                before, 100 * shareBefore.value(), 100 * shareBefore.low(), 100 * shareBefore.high(),
                after, 100 * shareAfter.value(), 100 * shareAfter.low(), 100 * shareAfter.high(),
                control, 100 * shareControl.value(), 100 * shareControl.low(), 100 * shareControl.high(), gained, lost, p);
        for (int i = 0; i < 3; i++) {
            System.out.printf("[stats]   \"%s\"%n[stats]     unsteered:%s%n[stats]     steered:  %s%n", heldOut.get(i),
                    heldOutResponses.get(i), steeredExamples.get(i));
        }

        double lift = (after - before) / (double) n;
        assertTrue(lift >= MARGIN, String.format("steering must raise the share of held-out stories about a %s by %.0f points:"
                + " %d / %d unsteered, %d / %d steered", ATTRIBUTE, 100 * MARGIN, before, n, after, n));
        assertTrue(p < 1e-3, "the held-out prefixes that changed (" + gained + " to a " + ATTRIBUTE + ", " + lost
                + " away) must reject 'steering does not matter': p = " + p);
        assertTrue(lossAfter < LOSS_RATIO * lossBefore, String.format("the control loss on held-out prefixes must fall below %.2f of"
                + " the unsteered loss: %.3f -> %.3f", LOSS_RATIO, lossBefore, lossAfter));
        assertTrue((after - control) / (double) n >= MARGIN, String.format("steering through the trained decoder must beat steering"
                + " through the untrained model by %.0f points: %d vs %d of %d", 100 * MARGIN, after, control, n));
    }

    /** A control sample: the prefix read alone, or followed by the target's continuation, with the QA pair. */
    private static LitExample sample(String prefix, String response) {
        List<ChatMessage> read = response == null
                ? List.of(ChatMessage.user(prefix))
                : List.of(ChatMessage.user(prefix), ChatMessage.assistant(response));
        return builder.build(ReadPrompt.unmasked(read, false), StoriesDecoder.ANIMAL.text(), ATTRIBUTE);
    }

    /** Greedy continuations (text, with its leading space) of each prefix, by the target or with an adapter. */
    private static List<String> generate(List<String> prefixes, int tokens, String adapter) {
        List<int[]> prompts = prefixes.stream().map(p -> tokenizer.encode(p, true, false)).toList(); // as the read: BOS + text
        GenerationSettings greedy = GenerationSettings.greedy(tokens, Set.of(Llama2cTokenizer.BOS, Llama2cTokenizer.EOS));
        List<Generation> generations = new Generator(model).generate(prompts, greedy, adapter, List.of());
        return generations.stream().map(g -> tokenizer.decode(IntStream.of(g.tokens())
                .filter(t -> t != Llama2cTokenizer.BOS && t != Llama2cTokenizer.EOS).toArray())).toList();
    }

    private static boolean aboutACat(String continuation) {
        return ABOUT_A_CAT.matcher(continuation).find();
    }

    private static int count(List<String> continuations) {
        return (int) continuations.stream().filter(StoriesSteeringTest::aboutACat).count();
    }

    /** One-sided exact sign test: P(at least {@code up} of {@code up + down} fair coin flips come up). */
    static double signTestP(int up, int down) {
        int m = up + down;
        if (m == 0) {
            return 1;
        }
        double p = 0;
        for (int k = up; k <= m; k++) {
            p += Math.exp(logChoose(m, k) - m * Math.log(2));
        }
        return Math.min(1, p);
    }

    private static double logChoose(int m, int k) {
        double s = 0;
        for (int i = 1; i <= k; i++) {
            s += Math.log(m - k + i) - Math.log(i);
        }
        return s;
    }

    private static List<String> adjectives() {
        List<String> all = new ArrayList<>(StoryGrammar.MOODS);
        all.addAll(List.of("kind", "tiny", "lonely", "funny", "smart", "good", "naughty", "friendly", "pretty", "big"));
        return List.copyOf(all);
    }

    private static String withArticle(String word) {
        return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
    }
}
