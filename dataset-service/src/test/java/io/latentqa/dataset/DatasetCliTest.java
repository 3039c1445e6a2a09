package io.latentqa.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** deploy/bin/dataset-cli.sh against the running test service (skipped where bash or curl is missing). */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DatasetCliTest {

    static final Path SCRIPT = Path.of("..", "deploy", "bin", "dataset-cli.sh").toAbsolutePath().normalize();

    @TestHTTPResource("/")
    URL service;

    record Run(int exit, String out, String err) {
    }

    Run cli(String... args) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) && Files.isRegularFile(SCRIPT), "bash and the script");
        assumeTrue(new ProcessBuilder("curl", "--version").start().waitFor() == 0, "curl");
        List<String> command = new java.util.ArrayList<>(List.of("/bin/bash", SCRIPT.toString(), "--url",
                service.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the CLI finished");
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void cliSubmitsAJobDrawsItsProgressAndExitsWithItsOutcome() throws Exception {
        Run run = cli("generate-controls", "count=20", "seed=555");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("[########################################] 100%  20/20  errors 0  SUCCEEDED"),
                run.err());
        assertTrue(run.out().matches("(?s)job [0-9a-f-]{36} SUCCEEDED.*"), run.out());
    }

    @Test
    void cliReportsAFailedJobAndABadRequest() throws Exception {
        Run failed = cli("import-latentqa", "dataDir=" + Files.createTempDirectory("cli").toString());
        assertEquals(2, failed.exit(), failed.out() + failed.err());
        assertTrue(failed.err().contains("HTTP 400"), failed.err());

        Run unknown = cli("make-dataset");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("unknown command 'make-dataset'"), unknown.err());
    }
}
