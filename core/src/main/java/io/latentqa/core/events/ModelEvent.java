package io.latentqa.core.events;

/**
 * A record of latentqa.model-events (architecture doc): an adapter published or retired.
 *
 * @param event           {@code published} or {@code retired}
 * @param adapterId       the adapter id (also the record key)
 * @param kind            {@code decoder} or {@code steering}
 * @param digest          {@code sha256:<64 hex>} of adapter_model.safetensors; required when published
 * @param baseModelId     the model the adapter was trained on
 * @param baseModelDigest {@code sha256:} of that model's weights
 * @param runId           the training run or control job that made it
 * @param uri             where the adapter is: {@code file:<absolute path of a PEFT adapter directory>}
 * @param readLayer       block the decoder reads, or null when not given
 * @param writeLayer      block after which it writes, or null when not given
 * @param json            the event as received, kept for audit
 */
public record ModelEvent(String event, String adapterId, String kind, String digest, String baseModelId,
                         String baseModelDigest, String runId, String uri, Integer readLayer, Integer writeLayer,
                         String json) {

    public static final String PUBLISHED = "published";
    public static final String RETIRED = "retired";
    public static final String DECODER = "decoder";
    public static final String STEERING = "steering";

    public boolean published() {
        return PUBLISHED.equals(event);
    }

    public boolean decoder() {
        return DECODER.equals(kind);
    }

    public boolean steering() {
        return STEERING.equals(kind);
    }
}
