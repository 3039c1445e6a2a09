package io.latentqa.core.events;

import io.latentqa.core.io.SafetensorsDType;
import io.latentqa.core.io.SafetensorsFile;
import io.latentqa.core.io.SafetensorsWriter;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes {@link ActivationEvent}s as safetensors files and decodes them with strict validation
 * (architecture.md, "Activation event" contract; docs/activation-events.md).
 *
 * <p>The file holds tensor {@code activations} (Ly, N, d) in BF16 (default), F16 or F32; tensor
 * {@code token_ids} (N) I32 (for positions {@code mean}: the T averaged ids); and {@code __metadata__}
 * with {@code schema} = {@value ActivationEvent#SCHEMA}, {@code model_id}, {@code model_digest},
 * {@code layers} (comma list), {@code positions}, {@code source}, {@code request_id}, {@code created_at}
 * (ISO-8601 instant) and, optionally, {@code dialog} (JSON). BF16 and F16 round to nearest even; decoding
 * widens to float32 exactly.
 */
public final class ActivationEventCodec {

    /** Tensor names of the contract. */
    public static final String ACTIVATIONS = "activations";
    public static final String TOKEN_IDS = "token_ids";

    /** Metadata keys of the contract. */
    public static final String SCHEMA = "schema";
    public static final String MODEL_ID = "model_id";
    public static final String MODEL_DIGEST = "model_digest";
    public static final String LAYERS = "layers";
    public static final String POSITIONS = "positions";
    public static final String SOURCE = "source";
    public static final String REQUEST_ID = "request_id";
    public static final String CREATED_AT = "created_at";
    public static final String DIALOG = "dialog";

    private static final List<String> REQUIRED = List.of(
            SCHEMA, MODEL_ID, MODEL_DIGEST, LAYERS, POSITIONS, SOURCE, REQUEST_ID, CREATED_AT);
    private static final Set<SafetensorsDType> FLOAT_TYPES =
            Set.of(SafetensorsDType.BF16, SafetensorsDType.F16, SafetensorsDType.F32);

    private ActivationEventCodec() {
    }

    /** Encodes with BF16 activations, the contract's default. */
    public static byte[] encode(ActivationEvent event) {
        return encode(event, SafetensorsDType.BF16);
    }

    /**
     * Encodes an event as a safetensors file.
     *
     * @param dtype BF16, F16 or F32 for the activations
     * @throws IllegalArgumentException if the activations hold NaN or infinity, or a value overflows F16
     */
    public static byte[] encode(ActivationEvent event, SafetensorsDType dtype) {
        if (!FLOAT_TYPES.contains(dtype)) {
            throw new IllegalArgumentException("activations can be encoded as BF16, F16 or F32, not " + dtype);
        }
        float[] values = event.activations();
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("activation " + describeIndex(event, i) + " is " + v
                        + "; refusing to publish non-finite activations (request " + event.requestId() + ")");
            }
            if (dtype == SafetensorsDType.F16 && Math.abs(v) > 65504f) {
                throw new IllegalArgumentException("activation " + describeIndex(event, i) + " = " + v
                        + " overflows F16 (max 65504); encode as BF16 or F32");
            }
        }
        return new SafetensorsWriter()
                .metadata(metadata(event))
                .putFloats(ACTIVATIONS, dtype, new long[]{event.layerCount(), event.tokens(), event.dModel()}, values)
                .putInts(TOKEN_IDS, new long[]{event.tokenIds().length}, event.tokenIds())
                .toBytes();
    }

    /** The {@code __metadata__} of an event, in contract order. */
    public static Map<String, String> metadata(ActivationEvent event) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(SCHEMA, ActivationEvent.SCHEMA);
        meta.put(MODEL_ID, event.modelId());
        meta.put(MODEL_DIGEST, event.modelDigest());
        meta.put(LAYERS, joinLayers(event.layers()));
        meta.put(POSITIONS, event.positions().toString());
        meta.put(SOURCE, event.source().wireName());
        meta.put(REQUEST_ID, event.requestId());
        meta.put(CREATED_AT, event.createdAt().toString());
        if (event.dialog() != null) {
            meta.put(DIALOG, event.dialog());
        }
        return meta;
    }

    /**
     * Reads only the {@code __metadata__} of a safetensors value (an event or a claim check), validating
     * the header.
     *
     * @throws InvalidActivationEventException if the bytes are not a safetensors file
     */
    public static Map<String, String> readMetadata(byte[] bytes) {
        return open(bytes).metadata();
    }

    /**
     * Decodes and validates an event.
     *
     * @throws InvalidActivationEventException naming what is wrong: not safetensors, a claim check that
     *                                         was not resolved, missing/malformed metadata, missing or
     *                                         extra tensors, wrong dtype or shape, NaN or infinite values
     */
    public static ActivationEvent decode(byte[] bytes) {
        SafetensorsFile file = open(bytes);
        Map<String, String> meta = file.metadata();
        if (meta.containsKey(ClaimCheck.BLOB_URI)) {
            throw new InvalidActivationEventException("this value is a claim check (blob_uri "
                    + meta.get(ClaimCheck.BLOB_URI) + "), not an event; resolve it with ClaimCheck.resolve first");
        }
        for (String key : REQUIRED) {
            String value = meta.get(key);
            if (value == null || value.isBlank()) {
                throw new InvalidActivationEventException("activation event metadata is missing '" + key
                        + "' (required: " + REQUIRED + ")");
            }
        }
        if (!ActivationEvent.SCHEMA.equals(meta.get(SCHEMA))) {
            throw new InvalidActivationEventException("unsupported schema '" + meta.get(SCHEMA) + "', expected "
                    + ActivationEvent.SCHEMA);
        }
        for (String name : file.names()) {
            if (!name.equals(ACTIVATIONS) && !name.equals(TOKEN_IDS)) {
                throw new InvalidActivationEventException("unexpected tensor '" + name + "'; an activation event holds only "
                        + ACTIVATIONS + " and " + TOKEN_IDS);
            }
        }
        if (!file.contains(ACTIVATIONS) || !file.contains(TOKEN_IDS)) {
            throw new InvalidActivationEventException("activation event must hold tensors " + ACTIVATIONS + " and "
                    + TOKEN_IDS + ", found " + file.names());
        }
        SafetensorsDType dtype = file.dtype(ACTIVATIONS);
        if (!FLOAT_TYPES.contains(dtype)) {
            throw new InvalidActivationEventException("tensor activations has dtype " + dtype + ", expected BF16, F16 or F32");
        }
        long[] shape = file.shape(ACTIVATIONS);
        if (shape.length != 3 || shape[0] == 0 || shape[1] == 0 || shape[2] == 0) {
            throw new InvalidActivationEventException("tensor activations must have shape [layers, tokens, d_model] with"
                    + " every dimension >= 1, found " + Arrays.toString(shape));
        }
        if (file.dtype(TOKEN_IDS) != SafetensorsDType.I32 || file.shape(TOKEN_IDS).length != 1) {
            throw new InvalidActivationEventException("tensor token_ids must be I32 of shape [tokens], found "
                    + file.dtype(TOKEN_IDS) + " " + Arrays.toString(file.shape(TOKEN_IDS)));
        }
        int[] layers = parseLayers(meta.get(LAYERS));
        if (layers.length != shape[0]) {
            throw new InvalidActivationEventException("metadata layers '" + meta.get(LAYERS) + "' names " + layers.length
                    + " layers but tensor activations has " + shape[0]);
        }
        Positions positions;
        ActivationEvent.Source source;
        Instant createdAt;
        try {
            positions = Positions.parse(meta.get(POSITIONS));
            source = ActivationEvent.Source.parse(meta.get(SOURCE));
            createdAt = Instant.parse(meta.get(CREATED_AT));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new InvalidActivationEventException("malformed activation event metadata: " + e.getMessage(), e);
        }
        float[] activations = file.readFloats(ACTIVATIONS);
        for (int i = 0; i < activations.length; i++) {
            if (!Float.isFinite(activations[i])) {
                throw new InvalidActivationEventException("tensor activations holds " + activations[i] + " at flat index "
                        + i + " (layer slot " + i / (shape[1] * shape[2]) + ", row " + (i / shape[2]) % shape[1]
                        + "); activation events must be finite");
            }
        }
        try {
            return new ActivationEvent(meta.get(MODEL_ID), meta.get(MODEL_DIGEST), layers, positions, source,
                    meta.get(REQUEST_ID), createdAt, meta.get(DIALOG), file.readInts(TOKEN_IDS),
                    (int) shape[1], (int) shape[2], activations);
        } catch (IllegalArgumentException e) {
            throw new InvalidActivationEventException("inconsistent activation event: " + e.getMessage(), e);
        }
    }

    private static SafetensorsFile open(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidActivationEventException("activation event value is null");
        }
        try {
            return SafetensorsFile.of(bytes);
        } catch (IllegalArgumentException e) {
            throw new InvalidActivationEventException("not a valid safetensors file: " + e.getMessage(), e);
        }
    }

    private static String joinLayers(int[] layers) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < layers.length; i++) {
            sb.append(i == 0 ? "" : ",").append(layers[i]);
        }
        return sb.toString();
    }

    private static int[] parseLayers(String text) {
        String[] parts = text.split(",", -1);
        int[] layers = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                layers[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new InvalidActivationEventException("metadata layers '" + text
                        + "' must be a comma list of block indices such as 15 or 7,15", e);
            }
            if (layers[i] < 0) {
                throw new InvalidActivationEventException("metadata layers '" + text + "' has a negative index");
            }
        }
        return layers;
    }

    private static String describeIndex(ActivationEvent event, int flat) {
        int perLayer = event.tokens() * event.dModel();
        return "[layer slot " + flat / perLayer + ", row " + (flat % perLayer) / event.dModel() + ", dim "
                + flat % event.dModel() + "]";
    }
}
