package io.latentqa.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class MigrationsTest {

    @Inject
    Flyway flyway;

    @ConfigProperty(name = "latentqa.test.postgres.admin-url")
    String adminUrl;

    @ConfigProperty(name = "quarkus.flyway.schemas")
    String schema;

    @Test
    void migrationsApplyToAnEmptyDatabaseAndRerunCleanly() throws Exception {
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE migrations_check");
        }
        String url = adminUrl.replace("/postgres?", "/migrations_check?");
        // the service's own migrations and settings, pointed at the empty database
        Flyway empty = Flyway.configure(Thread.currentThread().getContextClassLoader())
                .configuration(flyway.getConfiguration())
                .dataSource(url, "postgres", "")
                .load();

        assertTrue(empty.migrate().migrationsExecuted > 0, "migrations ran on the empty database");
        assertEquals(0, empty.migrate().migrationsExecuted, "a second migrate finds nothing to do");
        empty.validate();
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT to_regclass('" + schema + ".activation_events')")) {
            assertTrue(rows.next() && rows.getString(1) != null, "table " + schema + ".activation_events exists");
        }
        assertEquals(0, flyway.migrate().migrationsExecuted, "the service's own database is up to date");
    }
}
