package io.latentqa.capture.spool;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Readiness of event publishing: DOWN ("degraded") while activation events wait in the spool and the
 * broker does not take them. Chat requests are still answered meanwhile; the data says how much waits.
 */
@Readiness
@ApplicationScoped
public class SpoolHealthCheck implements HealthCheck {

    private final EventPublisher publisher;

    SpoolHealthCheck(EventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public HealthCheckResponse call() {
        EventSpool spool = publisher.spool();
        boolean healthy = publisher.healthy();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("activation-event-spool")
                .status(healthy)
                .withData("state", healthy ? "ok" : "degraded")
                .withData("spooledRecords", spool.size())
                .withData("spooledBytes", spool.bytes())
                .withData("limitBytes", spool.maxBytes())
                .withData("rejected", publisher.rejected())
                .withData("brokerReachable", publisher.brokerReachable());
        if (!healthy) {
            builder.withData("unreachableSince", String.valueOf(publisher.unreachableSince()))
                    .withData("lastError", String.valueOf(publisher.lastError()));
        }
        return builder.build();
    }
}
