package io.latentqa.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker in its own JVM (the Apache Kafka jars of the test class path), on
 * fixed ports and a data directory that survive a restart, so a test can stop the broker and start it
 * again on the same address with its data: a real outage as clients see it.
 *
 * <p>The state lives in system properties (strings), so the test resource and the test, which Quarkus may
 * load in different class loaders, can both control the same broker.
 */
public final class KafkaBrokerProcess {

    static final String DIR = "latentqa.test.kafka.dir";
    static final String PID = "latentqa.test.kafka.pid";
    static final String BOOTSTRAP = "latentqa.test.kafka.bootstrap";

    /** Keeps the started brokers reachable: a collected Process would close the stdin the broker watches. */
    private static final List<Process> LIVE = new java.util.concurrent.CopyOnWriteArrayList<>();

    private KafkaBrokerProcess() {
    }

    /** Formats a new broker in a temporary directory and starts it; returns its bootstrap address. */
    static synchronized String create() {
        try {
            Path dir = Files.createTempDirectory("latentqa-test-kafka-");
            int port = freePort();
            int controllerPort = freePort();
            String config = String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"),
                    "num.partitions=1",
                    // one broker: the internal topics cannot have three replicas, or consumers wait forever
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "message.max.bytes=8388608",
                    "replica.fetch.max.bytes=8388608",
                    "auto.create.topics.enable=true",
                    "");
            Files.writeString(dir.resolve("server.properties"), config);
            run(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
                    dir.resolve("server.properties").toString()), dir.resolve("format.log"));
            System.setProperty(DIR, dir.toString());
            System.setProperty(BOOTSTRAP, "127.0.0.1:" + port);
            start();
            return "127.0.0.1:" + port;
        } catch (IOException e) {
            throw new UncheckedIOException("could not set up the test Kafka broker", e);
        }
    }

    /** Starts the broker (again) and waits until it answers. */
    public static synchronized void start() {
        Path dir = Path.of(System.getProperty(DIR));
        try {
            ProcessBuilder builder = new ProcessBuilder(command(List.of(KafkaBrokerMain.class.getName(),
                    dir.resolve("server.properties").toString())));
            builder.redirectErrorStream(true);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()));
            Process process = builder.start();
            // stdin stays open while this JVM lives: the broker exits when it reads end of input
            LIVE.add(process);
            System.setProperty(PID, Long.toString(process.pid()));
            awaitReady(System.getProperty(BOOTSTRAP), Duration.ofMinutes(5), process);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the test Kafka broker (log: " + dir.resolve("broker.log")
                    + ")", e);
        }
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 30 s) and waits until it is gone. */
    public static synchronized void stop() {
        String pid = System.getProperty(PID);
        if (pid == null) {
            return;
        }
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(handle -> {
            handle.destroy();
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
                handle.onExit().join();
            }
        });
        System.clearProperty(PID);
    }

    /** Stops the broker and deletes its directory. */
    static synchronized void destroy() {
        stop();
        String dir = System.getProperty(DIR);
        if (dir != null) {
            try (java.util.stream.Stream<Path> files = Files.walk(Path.of(dir))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is harmless
            }
            System.clearProperty(DIR);
        }
    }

    public static String bootstrap() {
        return System.getProperty(BOOTSTRAP);
    }

    private static List<String> command(List<String> mainAndArgs) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-Xmx512m", "-Xms128m",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        return command;
    }

    private static void run(List<String> mainAndArgs, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(mainAndArgs));
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        try {
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(mainAndArgs.get(0) + " failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void awaitReady(String bootstrap, Duration timeout, Process process) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the test Kafka broker exited with " + process.exitValue()
                            + "; see " + Path.of(System.getProperty(DIR)).resolve("broker.log"));
                }
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes()
                            .get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    // not up yet
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("the test Kafka broker at " + bootstrap + " did not answer within " + timeout);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
