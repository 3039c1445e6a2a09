package io.latentqa.stack;

import java.io.IOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL for one test run (zonky binaries, a free port, a temporary data directory that is
 * deleted afterwards), with the platform database and role. Sets the application's datasource, and
 * {@code latentqa.test.postgres.admin-url}: a superuser JDBC URL for tests that create scratch databases.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        try {
            postgres = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .start();
            int port = postgres.getPort();
            PostgresServer.createPlatformDatabase(port, PostgresServer.DATABASE, PostgresServer.USER,
                    PostgresServer.PASSWORD);
            return Map.of(
                    "quarkus.datasource.jdbc.url",
                    "jdbc:postgresql://127.0.0.1:" + port + "/" + PostgresServer.DATABASE,
                    "quarkus.datasource.username", PostgresServer.USER,
                    "quarkus.datasource.password", PostgresServer.PASSWORD,
                    "latentqa.test.postgres.admin-url",
                    "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test PostgreSQL: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new IllegalStateException("could not stop the test PostgreSQL", e);
            }
        }
    }
}
