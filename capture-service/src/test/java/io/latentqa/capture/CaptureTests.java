package io.latentqa.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.ClaimCheck;
import io.latentqa.core.events.LocalBlobStore;
import io.latentqa.stack.TestKafka;

/** Helpers shared by capture-service's tests: curl, and reading activation events back from Kafka. */
final class CaptureTests {

    private CaptureTests() {
    }

    /** The value of the activation event with key {@code requestId} on latentqa.activations. */
    static byte[] eventValue(String requestId) {
        ConsumerRecord<String, byte[]> record = TestKafka.find(KafkaBrokerProcess.bootstrap(), "latentqa.activations",
                requestId, Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no activation event with key " + requestId));
        return record.value();
    }

    /** The decoded event of a request, claim check resolved. */
    static ActivationEvent event(String requestId) {
        byte[] value = eventValue(requestId);
        try {
            Path blobs = ConfigProvider.getConfig().getValue("latentqa.capture.blob-dir", Path.class);
            return ActivationEventCodec.decode(new ClaimCheck(new LocalBlobStore(blobs)).resolve(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Output of curl (stdout, then a last line "HTTP <status> <content type>"). */
    static List<String> curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-w", "\nHTTP %{http_code} %{content_type}\n"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("curl did not finish: " + out);
            }
            return out.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The status line curl wrote last. */
    static String status(List<String> curlLines) {
        return curlLines.get(curlLines.size() - 1);
    }

    /** Everything before the status line. */
    static String body(List<String> curlLines) {
        return String.join("\n", curlLines.subList(0, curlLines.size() - 1));
    }
}
