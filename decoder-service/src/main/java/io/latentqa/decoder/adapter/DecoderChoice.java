package io.latentqa.decoder.adapter;

/**
 * Which decoder reads, and how.
 *
 * @param adapterId    the published adapter's id, or null for the untrained base model (Patchscope baseline)
 * @param modelAdapter the name the adapter is registered under on the model, or null for the base model
 * @param readLayer    block whose output the decoder was trained to read
 * @param writeLayer   block after which the vectors replace the stream
 */
public record DecoderChoice(String adapterId, String modelAdapter, int readLayer, int writeLayer) {

    /** The label readings carry: the adapter id, or {@code base}. */
    public String label() {
        return adapterId == null ? "base" : adapterId;
    }
}
