package io.latentqa.dataset.record;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

/** The {@code qa_pairs} table. Rows are found again by their natural key. */
@ApplicationScoped
public class QaPairRepository {

    private static final String INSERT = "INSERT INTO qa_pairs (natural_key, label, question, answer, source, template,"
            + " source_file, position, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String UPSERT = " ON CONFLICT (natural_key) DO UPDATE SET label = EXCLUDED.label,"
            + " question = EXCLUDED.question, answer = EXCLUDED.answer, source_file = EXCLUDED.source_file,"
            + " position = EXCLUDED.position, job_id = EXCLUDED.job_id, updated_at = now()"
            + " WHERE (qa_pairs.label, qa_pairs.question, qa_pairs.answer, qa_pairs.source_file, qa_pairs.position)"
            + " IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.question, EXCLUDED.answer, EXCLUDED.source_file,"
            + " EXCLUDED.position)";

    /** Inserts, or updates in place when the pair with the same natural key has changed, in one round trip; @return each one's outcome, in order */
    public List<Upserts.Outcome> upsertAll(Connection connection, List<QaPair> batch) throws SQLException {
        return Batches.upsert(connection, "qa_pairs", "natural_key", batch.stream().map(QaPair::naturalKey).toList(),
                batch, INSERT + UPSERT, QaPairRepository::bind);
    }

    /** Inserts unless a pair with this natural key exists. */
    public Upserts.Outcome insertIfAbsent(Connection connection, QaPair pair) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT
                + " ON CONFLICT (natural_key) DO NOTHING RETURNING true")) {
            bind(insert, pair);
            try (ResultSet rows = insert.executeQuery()) {
                return rows.next() ? Upserts.Outcome.INSERTED : Upserts.Outcome.UNCHANGED;
            }
        }
    }

    /** @return true when the label has at least one QA pair */
    public boolean exists(Connection connection, String label) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM qa_pairs WHERE label = ? LIMIT 1")) {
            query.setString(1, label);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static void bind(PreparedStatement statement, QaPair pair) throws SQLException {
        statement.setString(1, pair.naturalKey());
        statement.setString(2, pair.label());
        statement.setString(3, pair.question());
        statement.setString(4, pair.answer());
        statement.setString(5, pair.source());
        statement.setString(6, pair.template());
        statement.setString(7, pair.sourceFile());
        statement.setString(8, pair.position());
        statement.setString(9, pair.jobId());
    }
}
