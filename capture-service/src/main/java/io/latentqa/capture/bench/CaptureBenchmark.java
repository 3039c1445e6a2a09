package io.latentqa.capture.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./latentqa bench capture}: latency and throughput of a running capture-service with capture on
 * and off, at 1 and 8 concurrent clients, plus the activation events/s and MB/s it published (from its
 * Prometheus metrics). The ratio on/off is capture's overhead (goal: at most 1.05).
 *
 * <p>Each client sends its requests one after another (greedy, a fixed {@code max_tokens}, prompts that
 * differ per client), so capture on and off generate the same tokens. The runs alternate off, on, on, off
 * (ABBA) per concurrency level to cancel slow drift of a shared machine; the figures are the means of the
 * two runs of each kind. Uses only the JDK, so it runs from the service's class path or as a source file.
 *
 * <pre>
 *   java -cp capture-service/target/classes io.latentqa.capture.bench.CaptureBenchmark \
 *        [--url http://127.0.0.1:8081] [--clients 1,8] [--requests 4] [--max-tokens 32] [--out FILE.md]
 * </pre>
 */
public final class CaptureBenchmark {

    private static final Pattern COMPLETION_TOKENS = Pattern.compile("\"completion_tokens\"\\s*:\\s*(\\d+)");
    private static final Pattern PROMPT_TOKENS = Pattern.compile("\"prompt_tokens\"\\s*:\\s*(\\d+)");
    private static final Pattern BATCH_ROWS = Pattern.compile("\"batchRows\"\\s*:\\s*(\\d+)");
    private static final String[] TOPICS = {"owls", "the sea", "volcanoes", "bread", "the moon", "chess", "rivers",
        "bicycles", "tea", "glaciers", "music", "bees", "trains", "deserts", "clocks", "forests"};

    /** One measured run. */
    record Run(int clients, boolean capture, int requests, double seconds, double[] latencies, long promptTokens,
            long completionTokens, double meanBatchRows, double events, double eventBytes) {

        double meanLatency() {
            return Arrays.stream(latencies).average().orElse(0);
        }

        double percentile(double p) {
            double[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
        }

        double tokensPerSecond() {
            return completionTokens / seconds;
        }

        double requestsPerSecond() {
            return requests / seconds;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String url;
    private final int maxTokens;

    CaptureBenchmark(String url, int maxTokens) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.maxTokens = maxTokens;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        String url = options.getOrDefault("url", System.getenv().getOrDefault("LATENTQA_CAPTURE_URL",
                "http://127.0.0.1:8081"));
        int[] clientCounts = Arrays.stream(options.getOrDefault("clients", "1,8").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int requests = Integer.parseInt(options.getOrDefault("requests", "4"));
        int maxTokens = Integer.parseInt(options.getOrDefault("max-tokens", "32"));
        CaptureBenchmark bench = new CaptureBenchmark(url, maxTokens);

        String model = bench.get("/v1/models");
        System.out.println("capture-service at " + url + ": " + model);
        String header = environment();
        System.out.println(header);
        System.out.println("warm-up ...");
        bench.run(2, 1, true);

        List<Run[]> results = new ArrayList<>();
        for (int clients : clientCounts) {
            // ABBA: off, on, on, off
            Run off1 = bench.run(clients, requests, false);
            Run on1 = bench.run(clients, requests, true);
            Run on2 = bench.run(clients, requests, true);
            Run off2 = bench.run(clients, requests, false);
            results.add(new Run[] {off1, off2, on1, on2});
            System.out.println(line(off1));
            System.out.println(line(on1));
            System.out.println(line(on2));
            System.out.println(line(off2));
        }
        String table = report(results, requests, maxTokens, header);
        System.out.println();
        System.out.println(table);
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), table);
            System.out.println("written to " + options.get("out"));
        }
    }

    /** Runs {@code clients} clients that send {@code requests} requests each. */
    Run run(int clients, int requests, boolean capture) throws Exception {
        double[] before = publishedCounters();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[][]>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                long[][] out = new long[requests][];
                for (int r = 0; r < requests; r++) {
                    out[r] = chat(client, r, capture);
                }
                return out;
            }));
        }
        List<Double> latencies = new ArrayList<>();
        long prompt = 0;
        long completion = 0;
        long rows = 0;
        for (Future<long[][]> future : futures) {
            for (long[] result : future.get()) {
                latencies.add(result[0] / 1e9);
                prompt += result[1];
                completion += result[2];
                rows += result[3];
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        int total = clients * requests;
        double events = 0;
        double bytes = 0;
        if (capture) {
            // events are sent in the background: wait (briefly) until the counter has them all
            double[] after = publishedCounters();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (after[0] - before[0] < total && System.nanoTime() < deadline) {
                Thread.sleep(100);
                after = publishedCounters();
            }
            events = after[0] - before[0];
            bytes = after[1] - before[1];
        }
        return new Run(clients, capture, total, seconds, latencies.stream().mapToDouble(Double::doubleValue).toArray(),
                prompt, completion, rows / (double) total, events, bytes);
    }

    /** One request: {latency ns, prompt tokens, completion tokens, batch rows}. */
    long[] chat(int client, int request, boolean capture) throws IOException, InterruptedException {
        String topic = TOPICS[(client * 7 + request) % TOPICS.length];
        String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"Write a short paragraph about " + topic
                + ".\"}], \"max_tokens\": " + maxTokens + ", \"temperature\": 0, \"latentqa\": {\"capture\": " + capture
                + "}}";
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        long latency = System.nanoTime() - start;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return new long[] {latency, number(PROMPT_TOKENS, response.body()), number(COMPLETION_TOKENS, response.body()),
            number(BATCH_ROWS, response.body())};
    }

    /** {events published, bytes published} from the service's Prometheus metrics. */
    double[] publishedCounters() throws IOException, InterruptedException {
        String metrics = get("/q/metrics");
        return new double[] {metric(metrics, "latentqa_capture_events_published_total"),
            metric(metrics, "latentqa_capture_events_published_bytes_total")};
    }

    String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static double metric(String metrics, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})?\\s+([0-9.eE+-]+)").matcher(metrics);
        double sum = 0;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(2));
        }
        return sum;
    }

    static long number(Pattern pattern, String json) {
        Matcher matcher = pattern.matcher(json);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    static String line(Run run) {
        return String.format(Locale.ROOT, "clients %d, capture %-3s: %d requests in %.1f s, latency mean %.2f s (p95 %.2f),"
                        + " %.1f completion tokens/s, mean batch %.1f, events %.0f (%.2f MB)", run.clients(),
                run.capture() ? "on" : "off", run.requests(), run.seconds(), run.meanLatency(), run.percentile(0.95),
                run.tokensPerSecond(), run.meanBatchRows(), run.events(), run.eventBytes() / 1e6);
    }

    static String report(List<Run[]> results, int requests, int maxTokens, String environment) {
        StringBuilder out = new StringBuilder();
        out.append("Each client sends ").append(requests).append(" requests one after another (greedy, max_tokens ")
                .append(maxTokens).append("); capture on = the default policy (block 15, all positions, BF16).")
                .append(" Runs in ABBA order, means of two runs each.\n\n");
        out.append(environment).append("\n\n");
        out.append("| clients | capture | latency mean (s) | latency p95 (s) | completion tokens/s | requests/s |"
                + " mean batch | events/s | MB/s published |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder ratios = new StringBuilder();
        for (Run[] runs : results) {
            Run[] off = {runs[0], runs[1]};
            Run[] on = {runs[2], runs[3]};
            for (Run[] kind : List.of(off, on)) {
                double seconds = kind[0].seconds() + kind[1].seconds();
                out.append(String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.1f | %.2f | %.1f | %s | %s |%n",
                        kind[0].clients(), kind[0].capture() ? "on" : "off",
                        (kind[0].meanLatency() + kind[1].meanLatency()) / 2,
                        (kind[0].percentile(0.95) + kind[1].percentile(0.95)) / 2,
                        (kind[0].completionTokens() + kind[1].completionTokens()) / seconds,
                        (kind[0].requests() + kind[1].requests()) / seconds,
                        (kind[0].meanBatchRows() + kind[1].meanBatchRows()) / 2,
                        kind[0].capture() ? String.format(Locale.ROOT, "%.2f", (kind[0].events() + kind[1].events()) / seconds) : "-",
                        kind[0].capture() ? String.format(Locale.ROOT, "%.3f", (kind[0].eventBytes() + kind[1].eventBytes())
                                / seconds / 1e6) : "-"));
            }
            double latencyRatio = (on[0].meanLatency() + on[1].meanLatency()) / (off[0].meanLatency() + off[1].meanLatency());
            double throughputOff = (off[0].completionTokens() + off[1].completionTokens()) / (off[0].seconds() + off[1].seconds());
            double throughputOn = (on[0].completionTokens() + on[1].completionTokens()) / (on[0].seconds() + on[1].seconds());
            ratios.append(String.format(Locale.ROOT, "- %d client%s: latency on/off = **%.3f**, throughput off/on = **%.3f**%n",
                    runs[0].clients(), runs[0].clients() == 1 ? "" : "s", latencyRatio, throughputOff / throughputOn));
        }
        out.append("\nOverhead of capture (goal at most 1.05):\n\n").append(ratios);
        return out.toString();
    }

    static String environment() {
        String flags = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    List<String> wanted = List.of("avx2", "avx512f", "avx512_bf16", "fma");
                    flags = String.join(" ", Arrays.stream(line.split(":")[1].trim().split(" "))
                            .filter(wanted::contains).toList());
                    break;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        String load = "unknown";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            // not Linux
        }
        return String.format(Locale.ROOT, "Machine: %d CPUs (flags: %s), load average at start: %s.",
                Runtime.getRuntime().availableProcessors(), flags, load);
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: CaptureBenchmark [--url URL] [--clients 1,8] [--requests 4]"
                        + " [--max-tokens 32] [--out FILE]; got " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
