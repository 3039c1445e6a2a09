package io.latentqa.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.Positions;
import io.latentqa.decoder.cache.StreamCache;

class StreamCacheTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static ActivationEvent event(String id, int tokens) {
        return new ActivationEvent("m", "ab".repeat(32), new int[] {15}, Positions.ALL, ActivationEvent.Source.TRAFFIC,
                id, Instant.EPOCH, null, new int[tokens], tokens, 8, new float[tokens * 8]);
    }

    @Test
    void oldestEventsAreEvictedPastTheByteBound() {
        long one = StreamCache.sizeOf(event("a", 10));
        StreamCache cache = new StreamCache(2 * one, Duration.ofMinutes(5), new TestClock());
        cache.put(event("a", 10));
        cache.put(event("b", 10));
        cache.put(event("c", 10));
        assertFalse(cache.get("a").isPresent(), "the oldest went first");
        assertTrue(cache.get("b").isPresent() && cache.get("c").isPresent());
        assertEquals(2 * one, cache.bytes());
        assertEquals(1, cache.evicted());
        assertFalse(cache.put(event("huge", 1000)), "an event larger than the cache is not kept");
    }

    @Test
    void eventsExpireAfterTheTimeBound() {
        TestClock clock = new TestClock();
        StreamCache cache = new StreamCache(1 << 20, Duration.ofMinutes(5), clock);
        cache.put(event("a", 2));
        clock.now = clock.now.plus(Duration.ofMinutes(3));
        cache.put(event("b", 2));
        clock.now = clock.now.plus(Duration.ofMinutes(3));
        assertFalse(cache.get("a").isPresent());
        assertTrue(cache.get("b").isPresent());
        assertEquals(1, cache.size());
    }

    @Test
    void aNewerEventOfTheSameRequestReplacesTheOlder() {
        StreamCache cache = new StreamCache(1 << 20, Duration.ofMinutes(5), new TestClock());
        cache.put(event("a", 2));
        cache.put(event("a", 3));
        assertEquals(3, cache.get("a").orElseThrow().tokens());
        assertEquals(StreamCache.sizeOf(event("a", 3)), cache.bytes());
    }
}
