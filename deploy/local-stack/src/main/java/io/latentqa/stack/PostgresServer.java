package io.latentqa.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;

import org.postgresql.ds.PGSimpleDataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Runs a real PostgreSQL (the zonky binaries from Maven Central) on 127.0.0.1 until the process is killed.
 *
 * <p>The data directory survives restarts: it is initialised once and reused. On SIGTERM the JVM's shutdown
 * hook (registered by {@link EmbeddedPostgres}) stops the server with {@code pg_ctl stop -m fast}.
 *
 * <pre>
 * java -cp 'deploy/local-stack/target/lib/*:...' io.latentqa.stack.PostgresServer \
 *     --port 15432 --data .latentqa/postgres/data --binaries .latentqa/postgres/bin
 * </pre>
 */
public final class PostgresServer {

    /** Printed once the server accepts connections and the platform database exists. */
    public static final String READY_LINE = "latentqa-postgres ready";

    /** Database, role and password the services use (trust authentication on 127.0.0.1). */
    public static final String DATABASE = "latentqa";
    public static final String USER = "latentqa";
    public static final String PASSWORD = "latentqa";

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private PostgresServer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args, "port", "data", "binaries");
        int port = Options.port(options, "port");
        Path data = Path.of(options.get("data")).toAbsolutePath();
        Path binaries = Path.of(options.get("binaries")).toAbsolutePath();
        Files.createDirectories(data);
        Files.createDirectories(binaries);

        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false) // keep the data across down/up
                .setOverrideWorkingDirectory(binaries.toFile())
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", "''")
                .setServerConfig("synchronous_commit", "on") // zonky turns it off; local data should survive a crash
                .setOutputRedirector(ProcessBuilder.Redirect.INHERIT)
                .setErrorRedirector(ProcessBuilder.Redirect.INHERIT)
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        createPlatformDatabase(port, DATABASE, USER, PASSWORD);
        System.out.printf("%s on 127.0.0.1:%d, database %s, data in %s%n", READY_LINE, port, DATABASE, data);
        System.out.flush();
        new CountDownLatch(1).await(); // until SIGTERM; the shutdown hook stops postgres
    }

    /**
     * Creates the login role and the database owned by it, unless they exist.
     *
     * @param port the server's port on 127.0.0.1, reached as the superuser {@code postgres}
     * @param database the database name (lower-case identifier)
     * @param user the role name (lower-case identifier)
     * @param password the role's password
     * @throws SQLException if the server refuses
     */
    public static void createPlatformDatabase(int port, String database, String user, String password)
            throws SQLException {
        requireIdentifier(database);
        requireIdentifier(user);
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setServerNames(new String[] {"127.0.0.1"});
        admin.setPortNumbers(new int[] {port});
        admin.setDatabaseName("postgres");
        admin.setUser("postgres");
        try (Connection connection = admin.getConnection(); Statement statement = connection.createStatement()) {
            if (!exists(connection, "SELECT 1 FROM pg_roles WHERE rolname = ?", user)) {
                statement.execute("CREATE ROLE " + user + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
            }
            if (!exists(connection, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
                statement.execute("CREATE DATABASE " + database + " OWNER " + user);
            }
        }
    }

    private static boolean exists(Connection connection, String sql, String name) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static void requireIdentifier(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("expected a lower-case SQL identifier, got '" + name + "'");
        }
    }
}
