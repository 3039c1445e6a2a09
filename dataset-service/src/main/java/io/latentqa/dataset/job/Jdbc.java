package io.latentqa.dataset.job;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * Plain JDBC transactions on the service's data source (the connection's current schema is the service's
 * own). A job that must commit all its records or none does its writes inside one {@link #inTransaction}.
 */
public final class Jdbc {

    private Jdbc() {
    }

    /** Work on one connection that may throw SQL errors. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws Exception;
    }

    /**
     * Runs {@code work} in one transaction: commits when it returns, rolls back when it throws.
     *
     * @return what work returned
     * @throws Exception what work threw (after the rollback)
     */
    public static <T> T inTransaction(DataSource dataSource, Work<T> work) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (Exception | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** {@link #inTransaction} for callers that cannot throw checked exceptions. */
    public static <T> T inTransactionUnchecked(DataSource dataSource, Work<T> work) {
        try {
            return inTransaction(dataSource, work);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Runs work on an auto-commit connection, wrapping SQL errors with {@code what} failed. */
    public static <T> T autoCommit(DataSource dataSource, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not " + what + ": " + e.getMessage(), e);
        }
    }
}
