package io.latentqa.decoder;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.Positions;
import io.latentqa.decoder.runtime.ModelHolder;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;
import jakarta.inject.Inject;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ConsumerLagTest {

    static final String METRIC = "latentqa_decoder_consumer_lag_records";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ModelHolder holder;

    @Inject
    ChannelRegistry channels;

    @Test
    void lagCountsTheEventsNotYetProcessedAndFallsBackToZero() {
        // whatever earlier tests published is processed and committed first
        await().atMost(Duration.ofSeconds(60)).until(() -> lag() == 0);

        PausableChannel activations = channels.getPausable("activations-in");
        activations.pause();
        try {
            for (int i = 0; i < 3; i++) {
                TestKafka.send(bootstrap, "latentqa.activations", "req-lag-" + i,
                        ActivationEventCodec.encode(event("req-lag-" + i)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> lag() == 3);
        } finally {
            activations.resume();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> lag() == 0);
        given().when().get("/v1/activations/req-lag-2").then().statusCode(200);
    }

    /** The gauge's value on /q/metrics. */
    static double lag() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith(METRIC + " ") || line.startsWith(METRIC + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(METRIC + " is not on /q/metrics"));
    }

    ActivationEvent event(String requestId) {
        int dModel = holder.model().config().dim();
        return new ActivationEvent(holder.modelId(), holder.digest(), new int[] {15}, Positions.ALL,
                ActivationEvent.Source.TRAFFIC, requestId, Instant.now(), null, new int[] {1, 2}, 2, dModel,
                new float[2 * dModel]);
    }
}
