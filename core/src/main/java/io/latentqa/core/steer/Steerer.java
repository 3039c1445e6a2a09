package io.latentqa.core.steer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.latentqa.core.lit.LabelKind;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitLoss;
import io.latentqa.core.lit.LitRead;
import io.latentqa.core.lit.LitWrite;
import io.latentqa.core.lora.Adapter;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.ForwardResult;
import io.latentqa.core.model.GradMode;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;
import io.latentqa.core.train.AdamW;
import io.latentqa.core.train.NonFiniteStepException;

import java.util.ArrayList;
import java.util.List;

/**
 * Control by the decoder's loss (method doc §6): trains a steering LoRA on the target so that the frozen
 * decoder, reading the target's activations, answers the control's QA pairs as they are written.
 *
 * <p>One step takes one sample (a read prompt and one QA pair), as control.py does:
 * <ol>
 *   <li>the target (steering adapter on, LoRA dropout on) runs up to the read block under the gradient
 *       collector, and the vectors of every read position after position 0 are kept (§12, unmasked);</li>
 *   <li>the decoder (its adapter on, frozen, no dropout) runs with those vectors replacing the stream after
 *       its write block at the placeholders; the loss is its mean NLL of the answer tokens and end-of-turn;</li>
 *   <li>the loss is back-propagated through the decoder and the patched vectors into the steering LoRA, and
 *       Adam (no weight decay, no clipping) updates it.</li>
 * </ol>
 * In per-layer mode the target's stream is read after every steered block and detached before the next one,
 * and the losses of all those blocks are summed: block l's LoRA then gets the gradient of its own loss
 * only. That is control.py's per-layer loop, whose block l+1 also runs on block l's output from before
 * block l's update, and whose separate Adam per block equals one Adam over all blocks because Adam updates
 * every coordinate from its own moments.
 *
 * <p>The base weights are shared: the target is the model with the steering adapter, the decoder the same
 * model with the decoder adapter (or none: the untrained-decoder control).
 */
public final class Steerer implements AutoCloseable {

    /** Rows per forward when the loss is measured without gradients. */
    private static final int EVAL_BATCH = 8;

    private final Llama model;
    private final SteeringConfig config;
    private final Adapter adapter;
    private final String decoderAdapter;
    private final AdamW optimizer;
    private int step;

    private Steerer(Llama model, SteeringConfig config, Adapter adapter, String decoderAdapter) {
        int layers = model.config().nLayers();
        if (config.readLayer() >= layers || config.writeLayer() >= layers) {
            throw new IllegalArgumentException("the model has blocks 0.." + (layers - 1) + "; read layer " + config.readLayer()
                    + " / write layer " + config.writeLayer() + " do not exist");
        }
        if (decoderAdapter != null && model.adapter(decoderAdapter) == null) {
            throw new IllegalArgumentException("no decoder adapter '" + decoderAdapter + "' is registered on the model");
        }
        this.model = model;
        this.config = config;
        this.adapter = adapter;
        this.decoderAdapter = decoderAdapter;
        adapter.setTrainable(true);
        model.addAdapter(adapter);
        this.optimizer = new AdamW(adapter.parameters(), SteeringConfig.BETA1, SteeringConfig.BETA2, SteeringConfig.EPSILON, 0);
    }

    /**
     * A steerer with a fresh steering adapter (PEFT initialisation, so the steered target starts equal to the
     * target), registered on the model as {@code adapterName} until {@link #close()}.
     *
     * @param decoderAdapter the registered decoder adapter that is the loss, or null for the base model
     */
    public static Steerer start(Llama model, SteeringConfig config, String adapterName, String decoderAdapter) {
        Adapter adapter = Adapter.initialize(adapterName, config.lora(), model.config(), model.dataType(), config.seed());
        try {
            return new Steerer(model, config, adapter, decoderAdapter);
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
    }

    /** The result of one step: the loss at the read layer, and at every loss layer in per-layer mode. */
    public record Step(int step, double loss, double[] layerLosses, double gradientNorm, double seconds) {
    }

    /**
     * One Adam step on one sample. A step whose loss or gradient is not finite updates nothing and is taken again
     * once with the same sample and seed (as LitTrainer does): a transient fault leaves no trace, a deterministic
     * one fails the same way and stops the job with what went wrong.
     *
     * @param sample an unmasked read prompt and a write input with its answer
     * @throws NonFiniteStepException if the retry is not finite either (nothing is updated)
     */
    public Step step(LitExample sample) {
        long started = System.nanoTime();
        try {
            return attempt(sample, started);
        } catch (NonFiniteStepException first) {
            try {
                return attempt(sample, started);
            } catch (NonFiniteStepException again) {
                throw new NonFiniteStepException("step " + (step + 1) + ": " + first.getMessage() + "; again on a second try");
            }
        }
    }

    private Step attempt(LitExample sample, long started) {
        int[] layers = config.lossLayers();
        double[] losses = new double[layers.length];
        double norm;
        GradMode.COLLECTOR.lock();
        // off outside the collector whatever thread this is (autograd is per thread): Adam updates in place
        try (GradMode noGrad = GradMode.off(); NDManager manager = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            // LoRA dropout draws from the engine's generator: one seed per step makes a job repeatable
            Engine.getInstance().setRandomSeed((int) (config.seed() + step));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                List<NDArray> layerLosses = losses(List.of(sample), true, manager);
                collector.backward(sum(layerLosses));
                for (int i = 0; i < layers.length; i++) {
                    losses[i] = layerLosses.get(i).toType(DataType.FLOAT64, false).getDouble(); // float32 models too
                }
            }
            for (double loss : losses) {
                if (!Double.isFinite(loss)) {
                    throw new NonFiniteStepException("non-finite control loss; the steering adapter was not updated");
                }
            }
            norm = optimizer.step(config.learningRate(), 0);
        } finally {
            adapter.zeroGradients();
            GradMode.COLLECTOR.unlock();
        }
        step++;
        double readLoss = losses[indexOf(layers, config.readLayer(), losses.length - 1)];
        return new Step(step, readLoss, layers.length > 1 ? losses : new double[0], norm, (System.nanoTime() - started) / 1e9);
    }

    /**
     * The control loss: the decoder's mean NLL of each sample's answer at the read layer, averaged over the
     * samples, with the steering adapter on ({@code steered}) or off (the target as it was). No gradient, no
     * dropout.
     */
    public double loss(List<LitExample> samples, boolean steered) {
        return meanLoss(model, samples, config.readLayer(), config.writeLayer(), steered ? adapter.name() : null, decoderAdapter);
    }

    /**
     * The decoder's mean answer NLL over samples whose vectors the target (with {@code targetAdapter}, or
     * none) produces at {@code readLayer}; no gradient, no dropout.
     */
    public static double meanLoss(Llama model, List<LitExample> samples, int readLayer, int writeLayer, String targetAdapter,
                                  String decoderAdapter) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples to measure the control loss on");
        }
        double sum = 0;
        try (GradMode noGrad = GradMode.off()) {
            for (int from = 0; from < samples.size(); from += EVAL_BATCH) {
                List<LitExample> batch = samples.subList(from, Math.min(samples.size(), from + EVAL_BATCH));
                try (NDManager manager = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
                    NDArray vectors = read(model, batch, new int[] {readLayer}, targetAdapter, false, false, manager).get(0);
                    LitLoss.Result result = LitLoss.evaluate(model, batch.stream().map(LitExample::write).toList(), vectors,
                            writeLayer, LabelKind.ANSWER_ONLY, decoderAdapter, false, manager);
                    for (double loss : result.exampleLosses().toType(DataType.FLOAT64, false).toDoubleArray()) {
                        sum += loss;
                    }
                }
            }
        }
        return sum / samples.size();
    }

    /**
     * The decoder's loss at each loss layer, steering adapter on: one scalar per layer, the mean over the
     * samples' answer tokens. Differentiable under a gradient collector.
     */
    List<NDArray> losses(List<LitExample> samples, boolean training, NDManager manager) {
        int[] layers = config.lossLayers();
        List<NDArray> vectors = read(model, samples, layers, adapter.name(), training, config.perLayer(), manager);
        List<LitWrite> writes = samples.stream().map(LitExample::write).toList();
        List<NDArray> losses = new ArrayList<>();
        for (NDArray layerVectors : vectors) {
            losses.add(LitLoss.evaluate(model, writes, layerVectors, config.writeLayer(), LabelKind.ANSWER_ONLY, decoderAdapter,
                    false, manager).batchLoss());
        }
        return losses;
    }

    /**
     * The target's stream after each of {@code layers} at each read's shown positions: one (sum of n, d) array
     * per layer, in the order of {@code layers}.
     */
    private static List<NDArray> read(Llama model, List<LitExample> samples, int[] layers, String targetAdapter,
                                      boolean training, boolean detachBlocks, NDManager manager) {
        List<LitRead> reads = samples.stream().map(LitExample::read).toList();
        ForwardRequest request = ForwardRequest.builder()
                .setTokens(TokenBatch.of(reads.stream().map(LitRead::ids).toList()))
                .optRead(layers)
                .optReadPositions(RowPositions.at(reads.stream().map(LitRead::vectorIndex).toArray(int[][]::new)))
                .optAdapter(targetAdapter)
                .optTraining(training)
                .optDetachBlocks(detachBlocks)
                .build();
        ForwardResult result = model.forward(request, manager);
        List<NDArray> vectors = new ArrayList<>();
        for (int layer : layers) {
            vectors.add(result.residual(layer));
        }
        return vectors;
    }

    static NDArray sum(List<NDArray> losses) {
        NDArray total = losses.get(0);
        for (int i = 1; i < losses.size(); i++) {
            total = total.add(losses.get(i));
        }
        return total;
    }

    private static int indexOf(int[] values, int value, int otherwise) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return otherwise;
    }

    /** Steps taken. */
    public int steps() {
        return step;
    }

    public SteeringConfig config() {
        return config;
    }

    /** The steering adapter being trained (registered on the model). */
    public Adapter adapter() {
        return adapter;
    }

    /** Unregisters the steering adapter and frees it and Adam's moments. */
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
