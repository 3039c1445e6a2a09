package io.latentqa.dataset.record;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Upserts many rows in one round trip and still tells inserted from updated from unchanged: the keys that
 * exist are read first (inside the caller's transaction), then the batch's update counts say which rows the
 * upsert's WHERE let through (1) and which it left alone (0).
 */
final class Batches {

    private Batches() {
    }

    /** Binds one row's parameters. */
    @FunctionalInterface
    interface Binder<T> {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    /**
     * @param table the table
     * @param keyColumn its unique key column
     * @param keys each row's key, in row order
     * @param upsertSql an INSERT ... ON CONFLICT DO UPDATE ... WHERE (changed) statement without RETURNING
     * @return what happened to each row, in row order
     */
    static <T> List<Upserts.Outcome> upsert(Connection connection, String table, String keyColumn, List<String> keys,
            List<T> rows, String upsertSql, Binder<T> binder) throws SQLException {
        Set<String> existing = new HashSet<>();
        Array array = connection.createArrayOf("text", keys.toArray());
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT " + keyColumn + " FROM " + table + " WHERE " + keyColumn + " = ANY (?)")) {
            query.setArray(1, array);
            try (ResultSet found = query.executeQuery()) {
                while (found.next()) {
                    existing.add(found.getString(1));
                }
            }
        } finally {
            array.free();
        }
        int[] counts;
        try (PreparedStatement upsert = connection.prepareStatement(upsertSql)) {
            for (T row : rows) {
                binder.bind(upsert, row);
                upsert.addBatch();
            }
            counts = upsert.executeBatch();
        }
        List<Upserts.Outcome> outcomes = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            if (!existing.contains(keys.get(i))) {
                outcomes.add(Upserts.Outcome.INSERTED);
            } else {
                outcomes.add(counts[i] > 0 ? Upserts.Outcome.UPDATED : Upserts.Outcome.UNCHANGED);
            }
        }
        return outcomes;
    }
}
