package io.latentqa.core.events;

import io.latentqa.core.io.SafetensorsWriter;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The claim-check pattern for activation events too large for a Kafka record (architecture.md).
 * {@link #toValue} keeps an encoded event inline when it is at most the inline limit (default 1 MiB),
 * otherwise stores it in the {@link BlobStore} and returns a claim check: a small safetensors file with
 * no tensors whose {@code __metadata__} copies the event's metadata (without {@code dialog}, so routing
 * and filtering work without fetching the blob) and adds {@code blob_uri}, {@code blob_sha256} and
 * {@code blob_bytes}. {@link #resolve} turns either form back into the event bytes, checking the digest.
 */
public final class ClaimCheck {

    public static final String BLOB_URI = "blob_uri";
    public static final String BLOB_SHA256 = "blob_sha256";
    public static final String BLOB_BYTES = "blob_bytes";
    /** Default inline limit: 1 MiB, Kafka's default record size. */
    public static final long DEFAULT_INLINE_LIMIT = 1L << 20;

    private final BlobStore store;
    private final long inlineLimit;

    /** A claim check with the default 1 MiB inline limit. */
    public ClaimCheck(BlobStore store) {
        this(store, DEFAULT_INLINE_LIMIT);
    }

    /**
     * @param inlineLimit largest event, in bytes, that stays inline in the Kafka value
     */
    public ClaimCheck(BlobStore store, long inlineLimit) {
        if (store == null) {
            throw new IllegalArgumentException("a claim check needs a blob store");
        }
        if (inlineLimit < 0) {
            throw new IllegalArgumentException("inline limit must be >= 0 bytes, got " + inlineLimit);
        }
        this.store = store;
        this.inlineLimit = inlineLimit;
    }

    public long inlineLimit() {
        return inlineLimit;
    }

    /**
     * The Kafka value for an encoded event: the event itself if it fits the inline limit, else a claim
     * check after storing the event under {@code activations/<sha256>.safetensors}.
     *
     * @param eventBytes output of {@link ActivationEventCodec#encode}
     */
    public byte[] toValue(byte[] eventBytes) throws IOException {
        if (eventBytes.length <= inlineLimit) {
            return eventBytes;
        }
        Map<String, String> eventMeta = ActivationEventCodec.readMetadata(eventBytes);
        String sha256 = sha256(eventBytes);
        URI uri = store.put("activations/" + sha256 + ".safetensors", eventBytes);
        Map<String, String> meta = new LinkedHashMap<>(eventMeta);
        meta.remove(ActivationEventCodec.DIALOG);
        meta.put(BLOB_URI, uri.toString());
        meta.put(BLOB_SHA256, sha256);
        meta.put(BLOB_BYTES, Long.toString(eventBytes.length));
        return new SafetensorsWriter().metadata(meta).toBytes();
    }

    /** Whether a Kafka value is a claim check (has {@code blob_uri} metadata). */
    public static boolean isClaimCheck(byte[] value) {
        return ActivationEventCodec.readMetadata(value).containsKey(BLOB_URI);
    }

    /**
     * The event bytes behind a Kafka value: the value itself when inline, else the blob, whose size and
     * sha256 must match the claim check.
     *
     * @throws InvalidActivationEventException if the claim check is malformed or the blob does not match
     * @throws IOException                     if the blob cannot be read
     */
    public byte[] resolve(byte[] value) throws IOException {
        Map<String, String> meta = ActivationEventCodec.readMetadata(value);
        String uriText = meta.get(BLOB_URI);
        if (uriText == null) {
            return value;
        }
        URI uri;
        try {
            uri = new URI(uriText);
        } catch (URISyntaxException e) {
            throw new InvalidActivationEventException("claim check blob_uri '" + uriText + "' is not a URI", e);
        }
        byte[] blob = store.get(uri);
        String expectedSha = meta.get(BLOB_SHA256);
        if (expectedSha == null) {
            throw new InvalidActivationEventException("claim check for " + uriText + " lacks blob_sha256");
        }
        String actualSha = sha256(blob);
        if (!actualSha.equals(expectedSha)) {
            throw new InvalidActivationEventException("blob " + uriText + " has sha256 " + actualSha
                    + " but the claim check expects " + expectedSha + " (blob replaced or corrupted)");
        }
        String size = meta.get(BLOB_BYTES);
        if (size != null && !size.equals(Integer.toString(blob.length))) {
            throw new InvalidActivationEventException("blob " + uriText + " has " + blob.length
                    + " bytes but the claim check says " + size);
        }
        return blob;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
