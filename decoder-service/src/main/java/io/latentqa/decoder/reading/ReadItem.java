package io.latentqa.decoder.reading;

/**
 * One question about one set of vectors: a row of a batched read or score.
 *
 * @param vectors  what the decoder is shown
 * @param question the question asked about them
 */
public record ReadItem(ReadVectors vectors, String question) {
}
