package io.latentqa.trainer.lit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentqa.core.io.SafetensorsDType;
import io.latentqa.core.io.SafetensorsFile;
import io.latentqa.core.io.SafetensorsWriter;
import io.latentqa.core.lit.LabelKind;
import io.latentqa.core.lit.LitActivations;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitLoss;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.lora.Adapter;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.Llama;
import io.latentqa.core.train.AdamW;
import io.latentqa.core.train.NonFiniteStepException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Latent Interpretation Tuning (method doc §4): trains a decoder LoRA on the frozen base weights that
 * the target shares. Each optimizer step takes {@code gradAccum} length-bucketed micro-batches; for each,
 * <ol>
 *   <li>the target (no adapter, no gradient) runs up to the read block only and the shown vectors are
 *       gathered (§3.1, §12);</li>
 *   <li>under the gradient collector the decoder (same weights, decoder adapter on, LoRA dropout on)
 *       runs with the vectors replacing the residual stream after the write block at the placeholders,
 *       logits only at the loss positions (§2.6, §3.2);</li>
 *   <li>the token-mean loss / gradAccum is back-propagated into the adapter;</li>
 * </ol>
 * then the gradients are clipped by global norm and AdamW (written out, state outside the step scope)
 * updates the adapter. Each step runs in its own NDManager and NDScope.
 *
 * <p>Determinism: micro-batch g is always the same examples ({@link LengthBatches}), and the engine's
 * random generator (LoRA dropout) is seeded with {@code seed + g} before each micro-batch, so the
 * state needed to resume exactly is the adapter, the AdamW moments, the step counter and g
 * ({@link #save}, {@link #resume}).
 *
 * <p>DJL allows one gradient collector per JVM: every step holds {@link GradMode#COLLECTOR}.
 */
public final class LitTrainer implements AutoCloseable {

    /** The folder of a checkpoint that holds its adapter (PEFT layout). */
    public static final String ADAPTER_DIR = "adapter";
    static final String OPTIMIZER_FILE = "optimizer.safetensors";
    static final String STATE_FILE = "trainer-state.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(LitTrainer.class);

    private final Llama model;
    private final TrainingConfig config;
    private final List<LitExample> examples;
    private final LengthBatches batches;
    private final Adapter adapter;
    private final AdamW optimizer;
    private final int totalSteps;
    private int step;
    private long microStep;

    private LitTrainer(Llama model, TrainingConfig config, List<LitExample> examples, Adapter adapter) {
        int layers = model.config().nLayers();
        if (config.readLayer() >= layers || config.writeLayer() >= layers) {
            throw new IllegalArgumentException("the model has blocks 0.." + (layers - 1) + "; read layer " + config.readLayer()
                    + " / write layer " + config.writeLayer() + " do not exist");
        }
        this.model = model;
        this.config = config;
        this.examples = List.copyOf(examples);
        this.batches = new LengthBatches(examples.stream()
                .mapToInt(e -> e.read().length() + e.write().length()).toArray(), config.batchSize(), config.seed());
        this.adapter = adapter;
        this.totalSteps = config.maxSteps() > 0 ? config.maxSteps()
                : Math.max(1, config.epochs() * batches.perEpoch() / config.gradAccum());
        adapter.setTrainable(true);
        model.addAdapter(adapter);
        this.optimizer = new AdamW(adapter.parameters(), config.beta1(), config.beta2(), config.epsilon(), config.weightDecay());
    }

    /**
     * A trainer with a fresh decoder adapter (PEFT initialisation from the seed), registered on the
     * model under {@code adapterName} until {@link #close()}.
     */
    public static LitTrainer start(Llama model, TrainingConfig config, List<LitExample> examples, String adapterName) {
        Adapter adapter = Adapter.initialize(adapterName, config.lora(), model.config(), model.dataType(), config.seed());
        try {
            return new LitTrainer(model, config, examples, adapter);
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
    }

    /**
     * A trainer whose decoder adapter starts from the weights in {@code adapterDir} (a PEFT folder, e.g. a
     * shipped decoder) instead of PEFT's initialisation; the optimizer and the data order start afresh.
     *
     * @throws IllegalArgumentException if the folder's LoRA shape (rank, alpha, dropout, targets) is not the config's
     */
    public static LitTrainer startFrom(Llama model, TrainingConfig config, List<LitExample> examples, String adapterName,
                                       Path adapterDir) {
        Adapter adapter = AdapterFile.load(adapterDir, adapterName, model.config(), model.dataType()).adapter();
        try {
            LoraConfig found = adapter.config();
            LoraConfig wanted = config.lora();
            if (found.rank() != wanted.rank() || found.alpha() != wanted.alpha() || found.dropout() != wanted.dropout()
                    || !found.targets().equals(wanted.targets()) || !found.layers().equals(wanted.layers())) {
                throw new IllegalArgumentException("the adapter in " + adapterDir.getFileName() + " has LoRA rank " + found.rank() + ", alpha "
                        + found.alpha() + ", dropout " + found.dropout() + ", targets " + found.targets() + "; the run asks for rank "
                        + wanted.rank() + ", alpha " + wanted.alpha() + ", dropout " + wanted.dropout() + ", targets "
                        + wanted.targets() + ": give the run the adapter's lora settings");
            }
            return new LitTrainer(model, config, examples, adapter);
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
    }

    /**
     * A trainer that continues from a checkpoint written by {@link #save}; given the same config and
     * examples it takes the same steps an uninterrupted run would have taken.
     */
    public static LitTrainer resume(Llama model, TrainingConfig config, List<LitExample> examples, String adapterName,
                                    Path checkpoint) {
        ObjectNode state = readState(checkpoint);
        if (state.path("seed").asLong() != config.seed() || state.path("examples").asInt() != examples.size()) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " was written with seed " + state.path("seed").asLong()
                    + " and " + state.path("examples").asInt() + " examples, this run has seed " + config.seed() + " and "
                    + examples.size() + ": resume with the run's own spec and data");
        }
        Adapter adapter = AdapterFile.load(checkpoint.resolve(ADAPTER_DIR), adapterName, model.config(), model.dataType()).adapter();
        LitTrainer trainer;
        try {
            trainer = new LitTrainer(model, config, examples, adapter);
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint.resolve(OPTIMIZER_FILE))) {
            Map<String, float[]> moments = new LinkedHashMap<>();
            for (String name : file.names()) {
                moments.put(name, file.readFloats(name));
            }
            trainer.optimizer.restore(moments, state.path("optimizerSteps").asInt());
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
        trainer.step = state.path("step").asInt();
        trainer.microStep = state.path("microStep").asLong();
        return trainer;
    }

    /**
     * One optimizer step. A step whose loss or gradient is not finite updates nothing and is taken again
     * once from the same data cursor and seeds: a deterministic fault (the data, the learning rate) fails
     * the same way and stops the run with what went wrong, a transient one leaves no trace, and either way
     * the run's steps stay those of an uninterrupted run.
     *
     * @throws NonFiniteStepException if the retry is not finite either
     */
    public StepResult step() {
        if (isDone()) {
            throw new IllegalStateException("the run has taken all its " + totalSteps + " steps");
        }
        long started = System.nanoTime();
        long cursor = microStep;
        StepResult result;
        try {
            result = attempt(started);
        } catch (NonFiniteStepException first) {
            LOG.warn("step " + (step + 1) + ": " + first.getMessage() + "; taking the step again");
            microStep = cursor;
            try {
                result = attempt(started);
            } catch (NonFiniteStepException again) {
                microStep = cursor;
                throw new NonFiniteStepException(first.getMessage() + (again.getMessage().equals(first.getMessage())
                        ? "; the same on a second try" : "; a second try: " + again.getMessage()));
            }
        }
        step++;
        return result;
    }

    private StepResult attempt(long started) {
        double lr = config.learningRateAt(step, totalSteps);
        double lossSum = 0;
        long tokens = 0;
        double norm;
        GradMode.COLLECTOR.lock();
        // off outside the collector whatever thread this is: the target pass builds no graph and AdamW may
        // update the leaf parameters in place
        try (GradMode noGrad = GradMode.off(); NDManager manager = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            for (int a = 0; a < config.gradAccum(); a++) {
                List<LitExample> batch = batch(microStep);
                List<LitRead> reads = batch.stream().map(LitExample::read).toList();
                List<LitWrite> writes = batch.stream().map(LitExample::write).toList();
                // LoRA dropout draws from the engine's generator: seed it from the data cursor
                Engine.getInstance().setRandomSeed((int) (config.seed() + microStep));
                // target: base weights, no adapter, outside the collector (no graph), stops after the read block
                NDArray vectors = LitActivations.read(model, reads, config.readLayer(), null, false, manager); // (sum n, d)
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    LitLoss.Result result = LitLoss.evaluate(model, writes, vectors, config.writeLayer(), LabelKind.TRAIN,
                            adapter.name(), true, manager);
                    collector.backward(result.batchLoss().div(config.gradAccum()));
                    float loss = result.batchLoss().getFloat();
                    if (!Float.isFinite(loss)) {
                        // never let a non-finite loss reach the weights
                        throw new NonFiniteStepException("non-finite loss (" + loss + ") of micro-batch " + microStep
                                + " (examples " + Arrays.toString(batches.batch(microStep)) + ", vectors finite: "
                                + Double.isFinite(vectors.abs().max().getFloat()) + "); the adapter was not updated");
                    }
                    lossSum += loss;
                }
                for (LitExample e : batch) {
                    tokens += e.read().length() + e.write().length();
                }
                microStep++;
            }
            norm = optimizer.step(lr, config.clipNorm());
        } finally {
            adapter.zeroGradients();
            GradMode.COLLECTOR.unlock();
        }
        return new StepResult(step + 1, lossSum / config.gradAccum(), norm, lr, tokens, (System.nanoTime() - started) / 1e9);
    }

    /** The examples of micro-batch g. */
    public List<LitExample> batch(long g) {
        List<LitExample> batch = new ArrayList<>();
        for (int i : batches.batch(g)) {
            batch.add(examples.get(i));
        }
        return batch;
    }

    public boolean isDone() {
        return step >= totalSteps;
    }

    /** Optimizer steps taken. */
    public int steps() {
        return step;
    }

    public int totalSteps() {
        return totalSteps;
    }

    /** The data cursor: micro-batches consumed. */
    public long microSteps() {
        return microStep;
    }

    /** The decoder adapter being trained (registered on the model). */
    public Adapter adapter() {
        return adapter;
    }

    public TrainingConfig config() {
        return config;
    }

    /** The optimizer (for tests of the checkpoint round trip). */
    AdamW optimizer() {
        return optimizer;
    }

    /**
     * Writes a checkpoint folder: {@code adapter/} (PEFT layout, with {@code metadata} in its
     * safetensors header), {@code optimizer.safetensors} (AdamW moments {@code m.<name>}, {@code v.<name>})
     * and {@code trainer-state.json} (step, data cursor, seed, optimizer steps). Written beside the
     * target and renamed into place, so a kill never leaves half a checkpoint.
     *
     * @param baseModelNameOrPath PEFT's {@code base_model_name_or_path}
     */
    public void save(Path dir, String baseModelNameOrPath, Map<String, String> metadata) {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            AdapterFile.save(adapter, tmp.resolve(ADAPTER_DIR), baseModelNameOrPath, metadata);
            SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
            for (Map.Entry<String, float[]> e : optimizer.state().entrySet()) {
                String parameter = e.getKey().substring(2);
                writer.putFloats(e.getKey(), SafetensorsDType.F32, optimizer.shape(parameter), e.getValue());
            }
            writer.write(tmp.resolve(OPTIMIZER_FILE));
            ObjectNode state = JSON.createObjectNode()
                    .put("step", step)
                    .put("microStep", microStep)
                    .put("optimizerSteps", optimizer.steps())
                    .put("totalSteps", totalSteps)
                    .put("seed", config.seed())
                    .put("examples", examples.size())
                    .put("rng", "engine seeded with seed + microStep before each micro-batch; batch order from seed");
            Files.writeString(tmp.resolve(STATE_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
            deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir, e);
        }
    }

    /** Step number recorded in a checkpoint folder. */
    public static int checkpointStep(Path checkpoint) {
        return readState(checkpoint).path("step").asInt();
    }

    private static ObjectNode readState(Path checkpoint) {
        try {
            return (ObjectNode) JSON.readTree(checkpoint.resolve(STATE_FILE).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint " + checkpoint + " has no readable " + STATE_FILE, e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Unregisters the adapter from the model and frees it and the optimizer state. */
    @Override
    public void close() {
        try {
            optimizer.close();
        } finally {
            if (model.adapter(adapter.name()) == adapter) {
                model.removeAdapter(adapter.name());
            }
            adapter.close();
        }
    }
}
