package io.latentqa.decoder;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.MigrationsCheck;
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
        MigrationsCheck.run(flyway, adminUrl, schema + ".activation_events");
    }
}
