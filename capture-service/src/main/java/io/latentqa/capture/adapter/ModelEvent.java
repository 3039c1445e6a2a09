package io.latentqa.capture.adapter;

/**
 * A record of latentqa.model-events: an adapter was published or retired.
 *
 * @param event {@code published} or {@code retired}
 * @param adapterId the adapter id (also the record key)
 * @param kind {@code decoder} or {@code steering}
 * @param digest {@code sha256:<64 hex>} of the adapter file; required when published
 * @param baseModelId the model the adapter was trained on
 * @param baseModelDigest digest of that model's weights
 * @param runId the training run or control job that made it
 * @param uri where the adapter file can be fetched
 * @param json the event as received, kept for audit
 */
public record ModelEvent(String event, String adapterId, String kind, String digest, String baseModelId,
        String baseModelDigest, String runId, String uri, String json) {

    public static final String PUBLISHED = "published";
    public static final String RETIRED = "retired";
    public static final String DECODER = "decoder";
    public static final String STEERING = "steering";

    public boolean published() {
        return PUBLISHED.equals(event);
    }
}
