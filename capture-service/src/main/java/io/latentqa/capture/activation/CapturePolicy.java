package io.latentqa.capture.activation;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import io.latentqa.capture.CaptureConfig;
import io.latentqa.capture.rest.ProblemException;
import io.latentqa.capture.runtime.ModelHolder;
import io.latentqa.core.events.Positions;
import io.latentqa.core.io.SafetensorsDType;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns the default policy (config) and a request's {@code latentqa} object into a {@link CaptureSpec}.
 * {@code capture} may be {@code false} (no event), {@code true} (the defaults) or an object
 * {@code {layers, positions, dtype}} whose missing fields take the defaults. Redaction by policy cannot be
 * turned off by a request.
 */
@ApplicationScoped
public class CapturePolicy {

    private final CaptureConfig config;
    private final int layerCount;

    CapturePolicy(CaptureConfig config, ModelHolder holder) {
        this.config = config;
        this.layerCount = holder.config().nLayers();
        // fail at start, not on the first request, when the defaults are wrong
        defaults(null);
    }

    /** The default policy for traffic that says nothing. */
    public CaptureSpec defaults() {
        return defaults(null);
    }

    /**
     * @param latentqa the request's {@code latentqa} object, or null
     * @throws ProblemException (400) naming the field that is wrong
     */
    public CaptureSpec resolve(JsonNode latentqa) {
        boolean redact = config.redact() || (latentqa != null && latentqa.path("redact").asBoolean(false));
        JsonNode capture = latentqa == null ? null : latentqa.get("capture");
        if (capture == null || capture.isNull()) {
            return config.enabled() ? withRedact(defaults(null), redact) : CaptureSpec.off();
        }
        if (capture.isBoolean()) {
            return capture.asBoolean() ? withRedact(defaults(null), redact) : CaptureSpec.off();
        }
        if (!capture.isObject()) {
            throw ProblemException.badRequest("latentqa.capture must be true, false or an object"
                    + " {\"layers\": [15], \"positions\": \"all\", \"dtype\": \"BF16\"}");
        }
        int[] layers = capture.has("layers") ? layers(capture.get("layers"), "latentqa.capture.layers")
                : defaultLayers();
        Positions positions = capture.has("positions")
                ? positions(capture.get("positions").asText(null), "latentqa.capture.positions")
                : positions(config.defaultPositions(), "latentqa.capture.default-positions");
        SafetensorsDType dtype = capture.has("dtype") ? dtype(capture.get("dtype").asText(null), "latentqa.capture.dtype")
                : dtype(config.defaultDtype(), "latentqa.capture.default-dtype");
        return new CaptureSpec(true, layers, positions, dtype, redact);
    }

    /** The spec of a dataset job: the defaults, with the job's layers when it names some. */
    public CaptureSpec forJob(List<Integer> layers) {
        CaptureSpec spec = defaults(null);
        if (layers == null || layers.isEmpty()) {
            return spec;
        }
        int[] checked = checkLayers(layers.stream().mapToInt(Integer::intValue).toArray(), "layers");
        return new CaptureSpec(true, checked, spec.positions(), spec.dtype(), spec.redact());
    }

    private CaptureSpec defaults(Boolean redact) {
        return new CaptureSpec(true, defaultLayers(),
                positions(config.defaultPositions(), "latentqa.capture.default-positions"),
                dtype(config.defaultDtype(), "latentqa.capture.default-dtype"),
                redact == null ? config.redact() : redact);
    }

    private int[] defaultLayers() {
        return checkLayers(config.defaultLayers().stream().mapToInt(Integer::intValue).toArray(),
                "latentqa.capture.default-layers");
    }

    private static CaptureSpec withRedact(CaptureSpec spec, boolean redact) {
        return new CaptureSpec(spec.enabled(), spec.layers(), spec.positions(), spec.dtype(), redact);
    }

    private int[] layers(JsonNode node, String field) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw ProblemException.badRequest(field + " must be a non-empty array of block indices 0.."
                    + (layerCount - 1) + ", e.g. [15]");
        }
        int[] layers = new int[node.size()];
        for (int i = 0; i < layers.length; i++) {
            if (!node.get(i).canConvertToInt()) {
                throw ProblemException.badRequest(field + "[" + i + "] must be an integer block index, got "
                        + node.get(i));
            }
            layers[i] = node.get(i).asInt();
        }
        return checkLayers(layers, field);
    }

    private int[] checkLayers(int[] layers, String field) {
        TreeSet<Integer> distinct = new TreeSet<>();
        for (int layer : layers) {
            if (layer < 0 || layer >= layerCount) {
                throw ProblemException.badRequest(field + " names block " + layer + "; the model has blocks 0.."
                        + (layerCount - 1));
            }
            distinct.add(layer);
        }
        if (distinct.isEmpty()) {
            throw ProblemException.badRequest(field + " must name at least one block");
        }
        return distinct.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Positions positions(String text, String field) {
        try {
            return Positions.parse(text);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(field + ": " + e.getMessage());
        }
    }

    private static SafetensorsDType dtype(String text, String field) {
        String name = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        return switch (name) {
            case "BF16", "BFLOAT16" -> SafetensorsDType.BF16;
            case "F16", "FLOAT16" -> SafetensorsDType.F16;
            case "F32", "FLOAT32" -> SafetensorsDType.F32;
            default -> throw ProblemException.badRequest(field + " must be BF16, F16 or F32, got '" + text + "'");
        };
    }
}
