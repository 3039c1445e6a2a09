package io.latentqa.decoder;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.decoder.adapter.DecoderAdapters;
import io.latentqa.decoder.reading.ReadItem;
import io.latentqa.decoder.reading.ReadVectors;
import io.latentqa.decoder.runtime.ModelHolder;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.stack.TestKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Decoder adapters published and retired on latentqa.model-events (the engine's PEFT reference adapter). */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AdapterHotSwapTest {

    private static final String TOPIC = "latentqa.model-events";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ModelHolder holder;

    @Inject
    DecoderAdapters adapters;

    static Path peftDir() {
        return Path.of(System.getProperty("latentqa.shared"), "models/smollm2-135m-instruct/reference/lora")
                .toAbsolutePath().normalize();
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            digest.update(in.readAllBytes());
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    String event(String type, String adapterId, String digest) {
        return "{\"event\":\"" + type + "\",\"adapterId\":\"" + adapterId + "\",\"kind\":\"decoder\",\"digest\":\"" + digest
                + "\",\"baseModelId\":\"" + holder.modelId() + "\",\"baseModelDigest\":\"sha256:" + holder.digest()
                + "\",\"runId\":\"run-test\",\"uri\":\"file:" + peftDir() + "\",\"readLayer\":15,\"writeLayer\":0}";
    }

    @Test
    void publishedAdapterBecomesTheDefaultAndInFlightWorkKeepsItsAdapter() throws Exception {
        String digest = sha256(peftDir().resolve("adapter_model.safetensors"));
        try {
            TestKafka.send(bootstrap, TOPIC, "swap-a", event("published", "swap-a", digest));
            await().atMost(Duration.ofSeconds(60)).until(() -> "swap-a".equals(adapters.current().adapterId()));
            DecoderAdapters.Lease inFlight = adapters.acquire(null);
            String nameA = inFlight.choice().modelAdapter();
            assertNotNull(holder.model().adapter(nameA));

            TestKafka.send(bootstrap, TOPIC, "swap-b", event("published", "swap-b", digest));
            TestKafka.send(bootstrap, TOPIC, "swap-a", event("retired", "swap-a", digest));
            await().atMost(Duration.ofSeconds(60)).until(() -> "swap-b".equals(adapters.current().adapterId())
                    && !adapters.available().contains("swap-a"));
            // the retired adapter stays registered while work holds it, and still reads
            assertEquals("swap-a", inFlight.choice().adapterId());
            assertNotNull(holder.model().adapter(nameA));
            ReadVectors vectors = holder.reader().vectors(ReferenceEvents.control(holder, "swap-read",
                    ActivationEvent.Source.EVAL), 15);
            var reading = holder.reader().read(List.of(new ReadItem(vectors, ReferenceEvents.CONTROL_QUESTION)),
                    holder.reader().greedy(4), nameA, 0).get(0);
            assertEquals(nameA, reading.adapter());
            inFlight.close();
            assertNull(holder.model().adapter(nameA), "removed once its last lease closed");
        } finally {
            TestKafka.send(bootstrap, TOPIC, "swap-b", event("retired", "swap-b", digest));
            await().atMost(Duration.ofSeconds(60)).until(() -> adapters.current().adapterId() == null);
        }
    }

    @Test
    void adapterWithAWrongDigestGoesToTheDeadLetterTopic() {
        TestKafka.send(bootstrap, TOPIC, "swap-bad", event("published", "swap-bad", "sha256:" + "0".repeat(64)));
        var dead = TestKafka.find(bootstrap, TOPIC + ".dlq", "swap-bad", Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no dead letter for swap-bad"));
        String reason = TestKafka.header(dead, "dead-letter-reason");
        assertTrue(reason != null && reason.contains("has digest sha256:"), "dead-letter-reason was: " + reason);
        assertTrue(!adapters.available().contains("swap-bad"));
    }
}
