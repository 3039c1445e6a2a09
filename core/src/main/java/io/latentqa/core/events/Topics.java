package io.latentqa.core.events;

import java.util.List;

/**
 * Kafka topic names of the platform (architecture.md, "Kafka topics" contract). Services name channels
 * in code and map them to these names in {@code application.properties}; this class is the one place in
 * Java where the names are spelled, for tests, admin tooling and topic creation.
 */
public final class Topics {

    /** Key: request id. Value: an activation event (safetensors, see {@link ActivationEventCodec}). */
    public static final String ACTIVATIONS = "latentqa.activations";
    /** Key: request id. Value: JSON reading (activation id, monitor id, question, answer, score, flagged). */
    public static final String READINGS = "latentqa.readings";
    /** Key: request id. Value: JSON control score (activation id, control id, decoder loss, per-layer losses). */
    public static final String CONTROL_SCORES = "latentqa.control-scores";
    /** Key: job id. Value: JSON capture request (dialog, optional control, generation settings, layers). */
    public static final String CAPTURE_REQUESTS = "latentqa.capture-requests";
    /** Key: run id. Value: JSON training run spec. */
    public static final String TRAINING_REQUESTS = "latentqa.training-requests";
    /** Key: adapter id. Value: JSON adapter published / retired, with its digest. */
    public static final String MODEL_EVENTS = "latentqa.model-events";
    /** Key: job id. Value: JSON answer of capture-service to a capture request (completion, activation event id). */
    public static final String CAPTURE_RESULTS = "latentqa.capture-results";
    /** Key: control job id. Value: JSON progress of a steering control job (step, total steps, control loss). */
    public static final String CONTROL_PROGRESS = "latentqa.control-progress";
    /** Suffix of a dead-letter topic: {@code latentqa.activations.dlq}. */
    public static final String DLQ_SUFFIX = ".dlq";

    /** Every main topic, in the order of the architecture table, then the replies of capture requests and control progress. */
    public static final List<String> ALL = List.of(
            ACTIVATIONS, READINGS, CONTROL_SCORES, CAPTURE_REQUESTS, TRAINING_REQUESTS, MODEL_EVENTS, CAPTURE_RESULTS,
            CONTROL_PROGRESS);

    private Topics() {
    }

    /** The dead-letter topic of {@code topic}, e.g. {@code latentqa.activations.dlq}. */
    public static String dlq(String topic) {
        if (topic == null || topic.isBlank() || topic.endsWith(DLQ_SUFFIX)) {
            throw new IllegalArgumentException("expected a main topic name such as " + ACTIVATIONS
                    + ", got '" + topic + "'");
        }
        return topic + DLQ_SUFFIX;
    }
}
