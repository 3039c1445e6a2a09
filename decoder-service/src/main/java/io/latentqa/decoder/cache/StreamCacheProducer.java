package io.latentqa.decoder.cache;

import java.time.Clock;

import io.latentqa.decoder.DecoderConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The service's one {@link StreamCache}, sized from configuration, with its gauges. */
@ApplicationScoped
public class StreamCacheProducer {

    @Produces
    @Singleton
    StreamCache streamCache(DecoderConfig config, MeterRegistry registry) {
        StreamCache cache = new StreamCache(config.cache().maxBytes(), config.cache().ttl(), Clock.systemUTC());
        Gauge.builder("latentqa.decoder.cache.events", cache, StreamCache::size).register(registry);
        Gauge.builder("latentqa.decoder.cache.bytes", cache, StreamCache::bytes).register(registry);
        Gauge.builder("latentqa.decoder.cache.evicted", cache, StreamCache::evicted).register(registry);
        return cache;
    }
}
