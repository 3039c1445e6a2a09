package io.latentqa.dataset.record;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.dataset.job.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@code dialogs} table. Rows are found again by their natural key. */
@ApplicationScoped
public class DialogRepository {

    private static final String COLUMNS = "id, natural_key, label, kind, record_kind, control_text, stimulus_text,"
            + " messages::text, source, source_file, position, model_id, model_digest, settings::text,"
            + " activation_event_id, job_id, created_at";

    private final DataSource dataSource;
    private final ObjectMapper json;

    DialogRepository(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    private static final String UPSERT = " ON CONFLICT (natural_key) DO UPDATE SET label = EXCLUDED.label,"
            + " kind = EXCLUDED.kind, record_kind = EXCLUDED.record_kind, control_text = EXCLUDED.control_text,"
            + " stimulus_text = EXCLUDED.stimulus_text, messages = EXCLUDED.messages, source_file = EXCLUDED.source_file,"
            + " position = EXCLUDED.position, job_id = EXCLUDED.job_id, updated_at = now()"
            + " WHERE (dialogs.label, dialogs.kind, dialogs.record_kind, dialogs.control_text, dialogs.stimulus_text,"
            + " dialogs.messages, dialogs.source_file, dialogs.position) IS DISTINCT FROM (EXCLUDED.label,"
            + " EXCLUDED.kind, EXCLUDED.record_kind, EXCLUDED.control_text, EXCLUDED.stimulus_text,"
            + " EXCLUDED.messages, EXCLUDED.source_file, EXCLUDED.position)";

    /** Inserts, or updates in place when the dialog with the same natural key has changed, in one round trip; @return each one's outcome, in order */
    public List<Upserts.Outcome> upsertAll(Connection connection, List<Dialog> batch) throws SQLException {
        return Batches.upsert(connection, "dialogs", "natural_key", batch.stream().map(Dialog::naturalKey).toList(),
                batch, insertSql() + UPSERT, this::bind);
    }

    /** Inserts unless a dialog with this natural key exists (a redelivered answer, a resumed job). */
    public Upserts.Outcome insertIfAbsent(Connection connection, Dialog dialog) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(insertSql()
                + " ON CONFLICT (natural_key) DO NOTHING RETURNING true")) {
            bind(insert, dialog);
            try (ResultSet rows = insert.executeQuery()) {
                return rows.next() ? Upserts.Outcome.INSERTED : Upserts.Outcome.UNCHANGED;
            }
        }
    }

    /** @return the distinct stimuli of a label's imported dialogs, in first-seen order */
    public List<String> importedStimuli(String label) {
        return Jdbc.autoCommit(dataSource, "read stimuli of " + label, connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT stimulus_text FROM dialogs"
                    + " WHERE label = ? AND source = 'import' AND stimulus_text IS NOT NULL"
                    + " GROUP BY stimulus_text ORDER BY min(id)")) {
                query.setString(1, label);
                List<String> stimuli = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        stimuli.add(rows.getString(1));
                    }
                }
                return stimuli;
            }
        });
    }

    /** A page of dialogs in id order, optionally of one job and/or label prefix. */
    public List<Dialog> page(String jobId, String labelPrefix, int page, int size) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM dialogs WHERE true");
        List<Object> parameters = new ArrayList<>();
        if (jobId != null) {
            sql.append(" AND job_id = ?");
            parameters.add(jobId);
        }
        if (labelPrefix != null) {
            sql.append(" AND label LIKE ?");
            parameters.add(Labels.likePrefix(labelPrefix));
        }
        sql.append(" ORDER BY id LIMIT ").append(size).append(" OFFSET ").append((long) page * size);
        return Jdbc.autoCommit(dataSource, "read dialogs", connection -> {
            try (PreparedStatement query = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < parameters.size(); i++) {
                    query.setObject(i + 1, parameters.get(i));
                }
                List<Dialog> dialogs = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        String settings = rows.getString(14);
                        dialogs.add(new Dialog(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4),
                                rows.getString(5), rows.getString(6), rows.getString(7), json.readTree(rows.getString(8)),
                                rows.getString(9), rows.getString(10), rows.getString(11), rows.getString(12),
                                rows.getString(13), settings == null ? null : json.readTree(settings), rows.getString(15),
                                rows.getString(16), rows.getObject(17, OffsetDateTime.class)));
                    }
                }
                return dialogs;
            }
        });
    }

    private static String insertSql() {
        return "INSERT INTO dialogs (natural_key, label, kind, record_kind, control_text, stimulus_text, messages,"
                + " source, source_file, position, model_id, model_digest, settings, activation_event_id, job_id)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)";
    }

    private void bind(PreparedStatement statement, Dialog dialog) throws SQLException {
        try {
            statement.setString(1, dialog.naturalKey());
            statement.setString(2, dialog.label());
            statement.setString(3, dialog.kind());
            statement.setString(4, dialog.recordKind());
            statement.setString(5, dialog.control());
            statement.setString(6, dialog.stimulus());
            statement.setString(7, json.writeValueAsString(dialog.messages()));
            statement.setString(8, dialog.source());
            statement.setString(9, dialog.sourceFile());
            statement.setString(10, dialog.position());
            statement.setString(11, dialog.modelId());
            statement.setString(12, dialog.modelDigest());
            statement.setString(13, dialog.settings() == null ? null : json.writeValueAsString(dialog.settings()));
            statement.setString(14, dialog.activationEventId());
            statement.setString(15, dialog.jobId());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a dialog as JSON", e);
        }
    }
}
