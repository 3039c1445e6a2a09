package io.latentqa.core.events;

import java.io.IOException;
import java.net.URI;

/**
 * Where activation events too large for a Kafka record are kept (the claim-check pattern, see
 * {@link ClaimCheck}). Local: {@link LocalBlobStore} on a directory; production: an S3-compatible store
 * behind the same two methods.
 */
public interface BlobStore {

    /**
     * Stores {@code bytes} under {@code key} (a relative name of letters, digits, {@code . _ - /}) and
     * returns the URI that {@link #get} accepts. Storing the same key twice overwrites it.
     */
    URI put(String key, byte[] bytes) throws IOException;

    /**
     * Reads back what {@link #put} stored.
     *
     * @throws IOException              if the blob is missing or unreadable
     * @throws IllegalArgumentException if the URI does not belong to this store
     */
    byte[] get(URI uri) throws IOException;
}
