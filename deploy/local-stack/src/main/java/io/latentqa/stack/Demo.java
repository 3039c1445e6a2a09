package io.latentqa.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.stack.demo.DemoChats;
import io.latentqa.stack.demo.DemoMonitor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The main job of {@code ./latentqa demo}, once the stack is up and a decoder adapter is trained:
 * a monitor on decoder-service asks every activation event "What instruction was the assistant given?",
 * a few chats go through capture-service (their answers and activation events are shown), and the
 * monitor's readings of those chats are shown.
 *
 * <pre>
 * Demo --kafka HOST:PORT --capture PORT --decoder PORT
 * Demo newest-decoder --trainer PORT     prints the newest trained SmolLM2 decoder adapter; exit 3 if none
 * </pre>
 */
public final class Demo {

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("newest-decoder")) {
            Map<String, String> options = Options.parse(java.util.Arrays.copyOfRange(args, 1, args.length), "trainer");
            String adapter = newestDecoder("http://127.0.0.1:" + Options.port(options, "trainer"));
            if (adapter == null) {
                System.exit(3);
            }
            System.out.println(adapter);
            return;
        }
        Map<String, String> options = Options.parse(args, "kafka", "capture", "decoder");
        String kafka = options.get("kafka");
        String capture = "http://127.0.0.1:" + Options.port(options, "capture");
        String decoder = "http://127.0.0.1:" + Options.port(options, "decoder");

        System.out.println("\n== a standing monitor on decoder-service");
        String monitor = DemoMonitor.create(decoder, System.out);
        System.out.println("\n== chats through capture-service, each with its activation event");
        List<DemoChats.Result> chats = DemoChats.run(capture, kafka, System.out);
        System.out.println("\n== the monitor's readings of those chats (from latentqa.readings)");
        DemoMonitor.showReadings(decoder, kafka, monitor, chats.stream().map(DemoChats.Result::eventId).toList(),
                Duration.ofMinutes(5), System.out);
    }

    /**
     * The adapter id of the newest succeeded training run on SmolLM2 (the spec names no model, which
     * means the default, or names a SmolLM2 file), or null.
     */
    static String newestDecoder(String trainerUrl) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(trainerUrl + "/v1/runs?limit=500")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("trainer-service answered " + response.statusCode() + " to GET /v1/runs: " + response.body());
        }
        for (JsonNode run : new ObjectMapper().readTree(response.body())) { // newest first
            String model = run.path("spec").path("model").asText("");
            if (run.path("status").asText().equals("SUCCEEDED") && !run.path("adapterId").asText("").isEmpty()
                    && (model.isEmpty() || model.toLowerCase().contains("smollm2"))) {
                return run.path("adapterId").asText();
            }
        }
        return null;
    }
}
