package io.latentqa.stack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.Flyway;

/**
 * The check each service's MigrationsTest runs: its own Flyway migrations and settings, pointed at a new empty
 * database of the test PostgreSQL, apply, find nothing to do a second time and validate; the table named exists
 * afterwards; and the service's own database is up to date.
 */
public final class MigrationsCheck {

    private MigrationsCheck() {
    }

    /**
     * @param service  the service's Flyway (its configuration is reused, its database checked last)
     * @param adminUrl the test PostgreSQL's admin JDBC url ({@code latentqa.test.postgres.admin-url})
     * @param table    a table the migrations create, schema-qualified
     */
    public static void run(Flyway service, String adminUrl, String table) throws SQLException {
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE migrations_check");
        }
        String url = adminUrl.replace("/postgres?", "/migrations_check?");
        Flyway empty = Flyway.configure(Thread.currentThread().getContextClassLoader())
                .configuration(service.getConfiguration())
                .dataSource(url, "postgres", "")
                .load();

        check(empty.migrate().migrationsExecuted > 0, "no migration ran on the empty database");
        int again = empty.migrate().migrationsExecuted;
        check(again == 0, "a second migrate ran " + again + " migrations; it should find nothing to do");
        empty.validate();
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT to_regclass('" + table + "')")) {
            check(rows.next() && rows.getString(1) != null, "table " + table + " does not exist after the migrations");
        }
        int pending = service.migrate().migrationsExecuted;
        check(pending == 0, "the service's own database was " + pending + " migrations behind");
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }
}
