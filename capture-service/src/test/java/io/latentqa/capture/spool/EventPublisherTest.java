package io.latentqa.capture.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latentqa.capture.CaptureConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A full spool is a visible metric and a clear log line, never a silent loss. */
class EventPublisherTest {

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    static <T> T stub(Class<T> type, Map<String, Object> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (!values.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
            }
            return values.get(method.getName());
        });
    }

    @Test
    void fullSpoolIsCountedAndLoggedAsAnError() {
        CaptureConfig.Spool spool = stub(CaptureConfig.Spool.class, Map.of("dir", dir, "maxBytes", 1L << 20,
                "maxRecords", 2, "sendWindow", 8, "deliveryTimeout", Duration.ofSeconds(5),
                "maxBackoff", Duration.ofSeconds(1)));
        CaptureConfig config = stub(CaptureConfig.class, Map.of("spool", spool,
                "activationsTopic", "latentqa.activations"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // not started: the broker is never contacted, records stay in the spool
        EventPublisher publisher = new EventPublisher(config, "127.0.0.1:1", registry);

        List<LogRecord> logged = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(EventPublisher.class.getName());
        logger.addHandler(handler);
        try {
            assertEquals(EventPublisher.Status.SPOOLED, publisher.publish("latentqa.activations", "r1", new byte[10]));
            assertEquals(EventPublisher.Status.SPOOLED, publisher.publish("latentqa.activations", "r2", new byte[10]));
            assertEquals(EventPublisher.Status.REJECTED, publisher.publish("latentqa.activations", "r3", new byte[10]));
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(1.0, registry.get("latentqa.capture.spool.rejected").tag("reason", "full").counter().count());
        assertEquals(2.0, registry.get("latentqa.capture.spool.records").gauge().value());
        assertTrue(logged.stream().anyMatch(r -> r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()
                && r.getMessage() != null && formatted(r).contains("SPOOL FULL") && formatted(r).contains("r3")),
                "an ERROR line names the lost record: " + logged.stream().map(EventPublisherTest::formatted).toList());
        assertEquals(1, publisher.rejected());
    }

    static String formatted(LogRecord record) {
        String message = record.getMessage();
        Object[] parameters = record.getParameters();
        if (parameters != null && message.contains("%")) {
            try {
                return String.format(message, parameters);
            } catch (RuntimeException e) {
                return message;
            }
        }
        return new java.util.logging.SimpleFormatter().formatMessage(record);
    }
}
