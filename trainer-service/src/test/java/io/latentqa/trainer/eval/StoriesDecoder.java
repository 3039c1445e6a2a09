package io.latentqa.trainer.eval;

import io.latentqa.core.grammar.GrammarControl;
import io.latentqa.core.grammar.Grammars;
import io.latentqa.core.grammar.StoryGrammar;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.ReadPrompt;
import io.latentqa.core.lora.Adapter;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.core.model.Llama;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.trainer.lit.LitTrainer;
import io.latentqa.trainer.lit.StepResult;
import io.latentqa.trainer.lit.Stories260kFixture;
import io.latentqa.trainer.lit.TrainingConfig;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Test fixture: the stories260K decoder of the stories fidelity check, trained once per test JVM and
 * registered, frozen, on {@link Stories260kFixture#model()} as {@link #ADAPTER}, so that the fidelity test and
 * the steering test (which uses it as its loss) share one decoder and one training run.
 *
 * <p>The recipe (LIT, text layout): {@link #TRAIN} openings of the story grammar (seed {@link #SEED}), each
 * read alone and unmasked, with the questions of {@link #QUESTIONS} whose answer is the bare slot value
 * ("cat", "Tom", "red"); the method's LoRA (r 16, alpha 32, dropout 0.05, q k v o gate up down), read after
 * block ceil(15/32 * 5) = 3 and written after block 0, {@link #STEPS} steps of batch 16 at lr 2e-3 (cosine, 20
 * warm-up steps), a learning rate for a model of this size. The next {@link #EVAL} openings of the same draw are
 * the fidelity test's held-out openings.
 */
public final class StoriesDecoder {

    /** The name the trained decoder is registered under on the shared model. */
    public static final String ADAPTER = "stories-decoder";
    public static final int TRAIN = 600;
    public static final int EVAL = 150;
    public static final int STEPS = 600;
    /** Seed of the grammar draw (training openings first, then the fidelity test's held-out ones). */
    public static final long SEED = 11;

    /** A question whose answer is one slot value, with the number of values (the choices). */
    public record Question(String slot, String text, int choices) {
    }

    public static final Question ANIMAL = new Question("animal", "What animal is the story about?", StoryGrammar.ANIMALS.size());

    public static final List<Question> QUESTIONS = List.of(
            ANIMAL,
            new Question("name", "What is the name of the main character?",
                    StoryGrammar.BOY_NAMES.size() + StoryGrammar.GIRL_NAMES.size()),
            new Question("color", "What color is the thing the main character loves?", StoryGrammar.COLORS.size()));

    /**
     * The trained decoder.
     *
     * @param adapter   its name on the model
     * @param config    its training config (read and write layers)
     * @param train     the openings it was trained on
     * @param eval      held-out openings of the same draw
     * @param examples  training examples
     * @param firstLoss mean loss of the first 20 steps
     * @param lastLoss  mean loss of the last 20 steps
     */
    public record Trained(String adapter, TrainingConfig config, List<GrammarControl> train, List<GrammarControl> eval,
                          int examples, double firstLoss, double lastLoss, double seconds) {
    }

    private static Trained trained;

    private StoriesDecoder() {
    }

    /** The decoder, trained on the first call in this JVM. */
    public static synchronized Trained trained() {
        if (trained == null) {
            trained = train();
        }
        return trained;
    }

    private static Trained train() {
        long started = System.nanoTime();
        Llama model = Stories260kFixture.model();
        LitPromptBuilder builder = Stories260kFixture.builder();
        List<GrammarControl> drawn = Grammars.drawDistinct(new StoryGrammar(), TRAIN + EVAL, SEED);
        List<GrammarControl> train = List.copyOf(drawn.subList(0, TRAIN));
        List<GrammarControl> eval = List.copyOf(drawn.subList(TRAIN, TRAIN + EVAL));

        List<LitExample> examples = new ArrayList<>();
        for (GrammarControl control : train) {
            LitRead read = builder.read(readPrompt(control));
            for (Question q : QUESTIONS) {
                String answer = answer(control, q);
                if (answer != null) {
                    examples.add(new LitExample(read, builder.write(read.vectorCount(), q.text(), answer)));
                }
            }
        }
        TrainingConfig config = config(model.config().nLayers());
        double first = 0;
        double last = 0;
        Adapter frozen;
        try (LitTrainer trainer = LitTrainer.start(model, config, examples, ADAPTER + "-training")) {
            while (!trainer.isDone()) {
                StepResult step = trainer.step();
                if (step.step() <= 20) {
                    first += step.loss() / 20;
                }
                if (step.step() > STEPS - 20) {
                    last += step.loss() / 20;
                }
            }
            // a frozen copy (no gradient recording) outlives the trainer, which unregisters and frees its own
            Adapter weights = trainer.adapter();
            frozen = Adapter.fromTensors(ADAPTER, weights.config(), model.config(), model.dataType(),
                    (name, shape) -> weights.parameters().get(name).toFloatArray());
        }
        model.addAdapter(frozen);
        return new Trained(ADAPTER, config, train, eval, examples.size(), first, last, (System.nanoTime() - started) / 1e9);
    }

    /** The target reads the opening alone: a control-kind read, nothing masked (method doc §12). */
    public static ReadPrompt readPrompt(GrammarControl control) {
        return ReadPrompt.unmasked(List.of(ChatMessage.user(control.text())), false);
    }

    /** The decoder's answer to a question about an opening (the bare slot value), or null if it has none. */
    public static String answer(GrammarControl control, Question q) {
        return control.attributes().get(q.slot());
    }

    private static TrainingConfig config(int nLayers) {
        TrainingConfig recipe = TrainingConfig.defaults(nLayers);
        LoraConfig lora = LoraConfig.of(16, 32f, 0.05f, EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.K_PROJ, LoraTarget.V_PROJ,
                LoraTarget.O_PROJ, LoraTarget.GATE_PROJ, LoraTarget.UP_PROJ, LoraTarget.DOWN_PROJ));
        return new TrainingConfig(recipe.readLayer(), recipe.writeLayer(), lora, 2e-3, TrainingConfig.Schedule.COSINE, 20,
                0.01, 0.9, 0.999, 1e-8, 16, 1, 1.0, 1, STEPS, 42, 0);
    }
}
