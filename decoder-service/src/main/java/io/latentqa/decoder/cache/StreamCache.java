package io.latentqa.decoder.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.latentqa.core.events.ActivationEvent;

/**
 * Recent activation events by request id, so REST can refer to them: bounded in bytes (float32 activations
 * plus ids) and in time. Oldest entries go first; a newer event of the same request replaces the older one.
 * Plain class, thread-safe.
 */
public final class StreamCache {

    private record Entry(ActivationEvent event, long bytes, Instant added) {
    }

    private final long maxBytes;
    private final Duration ttl;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long bytes;
    private long evicted;

    public StreamCache(long maxBytes, Duration ttl, Clock clock) {
        if (maxBytes <= 0 || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("the stream cache needs a positive size and time bound, got " + maxBytes
                    + " bytes and " + ttl);
        }
        this.maxBytes = maxBytes;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Size of an event in the cache. */
    public static long sizeOf(ActivationEvent event) {
        return 4L * event.activations().length + 4L * event.tokenIds().length + 512;
    }

    /** Keeps an event; an event larger than the whole cache is not kept. @return whether it was kept */
    public synchronized boolean put(ActivationEvent event) {
        long size = sizeOf(event);
        remove(event.requestId());
        if (size > maxBytes) {
            return false;
        }
        entries.put(event.requestId(), new Entry(event, size, clock.instant()));
        bytes += size;
        expire();
        Iterator<Entry> oldest = entries.values().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            bytes -= oldest.next().bytes;
            oldest.remove();
            evicted++;
        }
        return true;
    }

    /** The cached event of a request, if still cached. */
    public synchronized Optional<ActivationEvent> get(String requestId) {
        expire();
        Entry entry = entries.get(requestId);
        return entry == null ? Optional.empty() : Optional.of(entry.event);
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long bytes() {
        return bytes;
    }

    /** Events dropped so far for size or age. */
    public synchronized long evicted() {
        return evicted;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public Duration ttl() {
        return ttl;
    }

    private void remove(String requestId) {
        Entry old = entries.remove(requestId);
        if (old != null) {
            bytes -= old.bytes;
        }
    }

    private void expire() {
        Instant oldestAllowed = clock.instant().minus(ttl);
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Entry entry = it.next().getValue();
            if (!entry.added.isBefore(oldestAllowed)) {
                break; // insertion order: the rest are younger
            }
            bytes -= entry.bytes;
            it.remove();
            evicted++;
        }
    }
}
