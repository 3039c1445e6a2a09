package io.latentqa.core.events;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * One captured set of residual-stream activations: the value of topic {@link Topics#ACTIVATIONS}
 * (architecture.md, "Activation event" contract), before encoding. {@link ActivationEventCodec}
 * turns it into a safetensors file and back.
 *
 * <p>Dimension letters: Ly = captured layers, N = activation rows (tokens after the positions
 * selection), d = d_model. The activations are one flat row-major array of shape (Ly, N, d); layer
 * {@code layers[l]} is block {@code layers[l]}'s output (the residual stream after that block).
 * The arrays are held as given, not copied: don't mutate them after building an event.
 *
 * @param modelId     model name, e.g. {@code SmolLM2-135M-Instruct}
 * @param modelDigest sha256 (hex) of the model weights, so a reader can refuse activations of another model
 * @param layers      block indices captured, in the order of the first axis (Ly)
 * @param positions   which positions of the sequence the rows are
 * @param source      where the sequence came from
 * @param requestId   id of the request (also the Kafka key)
 * @param createdAt   capture time
 * @param dialog      the dialog as JSON, or null (omitted when redaction is on)
 * @param tokenIds    token id of each row (N); for {@link Positions#MEAN} the T ids that were averaged
 * @param tokens      N, the number of activation rows per layer
 * @param dModel      d
 * @param activations (Ly, N, d) row-major float32
 */
public record ActivationEvent(
        String modelId,
        String modelDigest,
        int[] layers,
        Positions positions,
        Source source,
        String requestId,
        Instant createdAt,
        String dialog,
        int[] tokenIds,
        int tokens,
        int dModel,
        float[] activations) {

    /** Value of the {@code schema} metadata field. */
    public static final String SCHEMA = "latentqa.activation/1";

    /** Where the captured sequence came from: the {@code source} metadata field. */
    public enum Source {
        TRAFFIC, DATASET, EVAL;

        /** The metadata spelling: {@code traffic}, {@code dataset}, {@code eval}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses the metadata spelling. */
        public static Source parse(String text) {
            for (Source s : values()) {
                if (s.wireName().equals(text)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("source '" + text + "' is not one of traffic, dataset, eval");
        }
    }

    public ActivationEvent {
        requireText(modelId, "model_id");
        requireText(modelDigest, "model_digest");
        requireText(requestId, "request_id");
        Objects.requireNonNull(positions, "positions");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(createdAt, "created_at");
        Objects.requireNonNull(layers, "layers");
        Objects.requireNonNull(tokenIds, "token_ids");
        Objects.requireNonNull(activations, "activations");
        if (layers.length == 0) {
            throw new IllegalArgumentException("an activation event needs at least one layer");
        }
        for (int layer : layers) {
            if (layer < 0) {
                throw new IllegalArgumentException("layer indices must be >= 0, got " + Arrays.toString(layers));
            }
        }
        if (tokens <= 0 || dModel <= 0) {
            throw new IllegalArgumentException("tokens and d_model must be positive, got tokens=" + tokens
                    + " d_model=" + dModel);
        }
        long expected = (long) layers.length * tokens * dModel;
        if (activations.length != expected) {
            throw new IllegalArgumentException("activations hold " + activations.length
                    + " floats, expected layers*tokens*d_model = " + layers.length + "*" + tokens + "*" + dModel
                    + " = " + expected);
        }
        if (positions.kind() == Positions.Kind.MEAN) {
            if (tokens != 1) {
                throw new IllegalArgumentException("positions mean gives exactly one row per layer, got " + tokens);
            }
            if (tokenIds.length == 0) {
                throw new IllegalArgumentException("positions mean: token_ids must list the averaged tokens");
            }
        } else if (tokenIds.length != tokens) {
            throw new IllegalArgumentException("token_ids has " + tokenIds.length + " ids but activations have "
                    + tokens + " rows per layer; they must match (positions " + positions + ")");
        }
        if (positions.kind() == Positions.Kind.LAST && tokens > positions.count()) {
            throw new IllegalArgumentException("positions " + positions + " allows at most " + positions.count()
                    + " rows, got " + tokens);
        }
        if (positions.kind() == Positions.Kind.RANGE && tokens != positions.end() - positions.start()) {
            throw new IllegalArgumentException("positions " + positions + " means "
                    + (positions.end() - positions.start()) + " rows, got " + tokens);
        }
    }

    /**
     * Builds an event from per-layer residual streams of the whole sequence, applying the positions
     * selection.
     *
     * @param residuals one (T, d) row-major array per entry of {@code layers}
     * @param ids       the T token ids of the sequence
     */
    public static ActivationEvent capture(String modelId, String modelDigest, int[] layers, Positions positions,
                                          Source source, String requestId, Instant createdAt, String dialog,
                                          float[][] residuals, int[] ids, int dModel) {
        if (residuals.length != layers.length) {
            throw new IllegalArgumentException(residuals.length + " residual streams for " + layers.length + " layers");
        }
        int rows = positions.rows(ids.length);
        float[] out = new float[layers.length * rows * dModel]; // (Ly, N, d)
        for (int l = 0; l < layers.length; l++) {
            float[] selected = positions.select(residuals[l], ids.length, dModel); // (N, d)
            System.arraycopy(selected, 0, out, l * rows * dModel, rows * dModel);
        }
        return new ActivationEvent(modelId, modelDigest, layers, positions, source, requestId, createdAt, dialog,
                positions.selectTokenIds(ids), rows, dModel, out);
    }

    /** Number of layers (Ly). */
    public int layerCount() {
        return layers.length;
    }

    /** The rows of layer slot {@code l} (not block index): (N, d), a copy. */
    public float[] layer(int l) {
        return Arrays.copyOfRange(activations, l * tokens * dModel, (l + 1) * tokens * dModel);
    }

    /** The slot of block {@code blockIndex} in {@link #layers()}, or -1. */
    public int slotOf(int blockIndex) {
        for (int l = 0; l < layers.length; l++) {
            if (layers[l] == blockIndex) {
                return l;
            }
        }
        return -1;
    }

    /** Activations as (Ly, N, d) nested arrays (a copy). */
    public float[][][] toArray() {
        float[][][] out = new float[layers.length][tokens][];
        for (int l = 0; l < layers.length; l++) {
            for (int t = 0; t < tokens; t++) {
                int from = (l * tokens + t) * dModel;
                out[l][t] = Arrays.copyOfRange(activations, from, from + dModel);
            }
        }
        return out;
    }

    /** Flattens (Ly, N, d) nested arrays into the layout of {@link #activations()}. */
    public static float[] flatten(float[][][] activations) {
        int ly = activations.length;
        int n = ly == 0 ? 0 : activations[0].length;
        int d = n == 0 ? 0 : activations[0][0].length;
        float[] out = new float[ly * n * d];
        for (int l = 0; l < ly; l++) {
            if (activations[l].length != n) {
                throw new IllegalArgumentException("layer " + l + " has " + activations[l].length + " rows, expected " + n);
            }
            for (int t = 0; t < n; t++) {
                if (activations[l][t].length != d) {
                    throw new IllegalArgumentException("row [" + l + "][" + t + "] has " + activations[l][t].length
                            + " values, expected d_model " + d);
                }
                System.arraycopy(activations[l][t], 0, out, (l * n + t) * d, d);
            }
        }
        return out;
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("activation event field " + field + " must not be empty");
        }
    }
}
