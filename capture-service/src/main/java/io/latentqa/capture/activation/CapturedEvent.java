package io.latentqa.capture.activation;

/**
 * What became of a request's activation event; returned to the client in the {@code latentqa} object of
 * the response.
 *
 * @param id         the event id, which is the request id and the Kafka key
 * @param topic      the Kafka topic
 * @param layers     captured blocks
 * @param positions  positions written in the event (a range is cut at the sequence's end)
 * @param dtype      BF16, F16 or F32
 * @param tokens     activation rows per layer
 * @param sequenceTokens prompt + completion tokens that were run through the model
 * @param bytes      size of the encoded event (a safetensors file)
 * @param claimCheck true when the event went to the blob store and Kafka carries a claim check
 * @param redacted   true when the event carries no dialog
 * @param status     {@code spooled} (on its way to Kafka), {@code rejected} (spool full: lost, counted,
 *                   logged) or {@code failed} (could not be built; see error)
 * @param error      why it was not published, or null
 */
public record CapturedEvent(String id, String topic, int[] layers, String positions, String dtype, int tokens,
        int sequenceTokens, long bytes, boolean claimCheck, boolean redacted, String status, String error) {
}
