package io.latentqa.decoder.adapter;

/**
 * A record of latentqa.model-events: an adapter was published or retired.
 *
 * @param event           {@code published} or {@code retired}
 * @param adapterId       the adapter id (also the record key)
 * @param kind            {@code decoder} or {@code steering}
 * @param digest          {@code sha256:<hex>} of adapter_model.safetensors; required when published
 * @param baseModelId     the model the adapter was trained on
 * @param baseModelDigest digest of that model's weights
 * @param runId           the training run that made it
 * @param uri             {@code file:<absolute path of a PEFT adapter directory>}
 * @param readLayer       block the decoder reads, or null when not given
 * @param writeLayer      block after which it writes, or null when not given
 */
public record ModelEvent(String event, String adapterId, String kind, String digest, String baseModelId,
        String baseModelDigest, String runId, String uri, Integer readLayer, Integer writeLayer) {

    public boolean published() {
        return "published".equals(event);
    }

    public boolean decoder() {
        return "decoder".equals(kind);
    }
}
