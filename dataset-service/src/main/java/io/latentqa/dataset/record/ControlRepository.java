package io.latentqa.dataset.record;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.dataset.job.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@code controls} table. */
@ApplicationScoped
public class ControlRepository {

    private static final String COLUMNS = "c.id, c.label, c.kind, c.text, c.source, c.grammar, c.attributes::text,"
            + " c.source_file, c.position, c.job_id, c.created_at";

    private final DataSource dataSource;
    private final ObjectMapper json;

    ControlRepository(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** An imported control to store: the label's wording from its best-ranked record. */
    public record Imported(String label, String kind, String text, int rank, String file, String position,
            String jobId) {
    }

    private static final String UPSERT_IMPORTED = "INSERT INTO controls (label, kind, text, source, source_rank,"
            + " source_file, position, job_id) VALUES (?, ?, ?, 'import', ?, ?, ?, ?)"
            + " ON CONFLICT (label) DO UPDATE SET kind = EXCLUDED.kind, text = EXCLUDED.text,"
            + " source_rank = EXCLUDED.source_rank, source_file = EXCLUDED.source_file,"
            + " position = EXCLUDED.position, job_id = EXCLUDED.job_id, updated_at = now()"
            + " WHERE controls.source = 'import'"
            + " AND (EXCLUDED.source_rank, EXCLUDED.source_file) <= (controls.source_rank, controls.source_file)"
            + " AND (controls.kind, controls.text, controls.source_rank, controls.source_file, controls.position)"
            + " IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.text, EXCLUDED.source_rank, EXCLUDED.source_file,"
            + " EXCLUDED.position)";

    /**
     * Stores imported controls. A label already imported keeps the text of the better-ranked file (system &lt;
     * control &lt; stimulus_completion &lt; stimulus, then file name): importing files in any order and any subset
     * settles on the same text. A grammar control of the same label is left alone.
     *
     * @return each control's outcome, in order
     */
    public List<Upserts.Outcome> upsertImported(Connection connection, List<Imported> batch) throws SQLException {
        return Batches.upsert(connection, "controls", "label", batch.stream().map(Imported::label).toList(), batch,
                UPSERT_IMPORTED, (upsert, control) -> {
                    upsert.setString(1, control.label());
                    upsert.setString(2, control.kind());
                    upsert.setString(3, control.text());
                    upsert.setInt(4, control.rank());
                    upsert.setString(5, control.file());
                    upsert.setString(6, control.position());
                    upsert.setString(7, control.jobId());
                });
    }

    /** Stores a grammar control unless its label exists. */
    public Upserts.Outcome insertGrammar(Connection connection, String label, String kind, String text, String grammar,
            JsonNode attributes, String jobId) throws SQLException {
        String sql = "INSERT INTO controls (label, kind, text, source, grammar, attributes, job_id)"
                + " VALUES (?, ?, ?, 'grammar', ?, ?::jsonb, ?) ON CONFLICT (label) DO NOTHING RETURNING true";
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            insert.setString(1, label);
            insert.setString(2, kind);
            insert.setString(3, text);
            insert.setString(4, grammar);
            insert.setString(5, json.writeValueAsString(attributes));
            insert.setString(6, jobId);
            try (ResultSet rows = insert.executeQuery()) {
                return rows.next() ? Upserts.Outcome.INSERTED : Upserts.Outcome.UNCHANGED;
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write attributes as JSON", e);
        }
    }

    /**
     * @param selection which controls
     * @param withoutQa only controls whose label has no QA pair yet
     * @return the selected controls in label order
     */
    public List<Control> select(ControlSelection selection, boolean withoutQa) {
        List<Object> parameters = new ArrayList<>();
        String where = where(selection, parameters);
        if (withoutQa) {
            where += " AND NOT EXISTS (SELECT 1 FROM qa_pairs q WHERE q.label = c.label)";
        }
        String sql = "SELECT " + COLUMNS + " FROM controls c WHERE " + where + " ORDER BY c.label"
                + (selection.limit() == null ? "" : " LIMIT " + selection.limit());
        return query(sql, parameters);
    }

    public int count(ControlSelection selection) {
        List<Object> parameters = new ArrayList<>();
        String sql = "SELECT count(*) FROM (SELECT 1 FROM controls c WHERE " + where(selection, parameters)
                + (selection.limit() == null ? "" : " LIMIT " + selection.limit()) + ") selected";
        return Jdbc.autoCommit(dataSource, "count controls", connection -> {
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                bind(query, parameters);
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    return rows.getInt(1);
                }
            }
        });
    }

    /** A page of controls in label order. */
    public List<Control> page(ControlSelection selection, int page, int size) {
        List<Object> parameters = new ArrayList<>();
        String sql = "SELECT " + COLUMNS + " FROM controls c WHERE " + where(selection, parameters)
                + " ORDER BY c.label LIMIT " + size + " OFFSET " + ((long) page * size);
        return query(sql, parameters);
    }

    /** @return the controls of one kind, in label order (the pool that distractors are drawn from) */
    public List<Control> ofKind(String kind) {
        return query("SELECT " + COLUMNS + " FROM controls c WHERE c.kind = ? ORDER BY c.label", List.of(kind));
    }

    public Optional<Control> find(long id) {
        List<Control> found = query("SELECT " + COLUMNS + " FROM controls c WHERE c.id = ?", List.of(id));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private static String where(ControlSelection selection, List<Object> parameters) {
        StringBuilder where = new StringBuilder("true");
        if (selection.labelPrefix() != null) {
            where.append(" AND c.label LIKE ?");
            parameters.add(Labels.likePrefix(selection.labelPrefix()));
        }
        if (selection.kind() != null) {
            where.append(" AND c.kind = ?");
            parameters.add(selection.kind());
        }
        if (selection.source() != null) {
            where.append(" AND c.source = ?");
            parameters.add(selection.source());
        }
        if (selection.fromJob() != null) {
            where.append(" AND c.job_id = ?");
            parameters.add(selection.fromJob());
        }
        return where.toString();
    }

    private static void bind(PreparedStatement statement, List<Object> parameters) throws SQLException {
        for (int i = 0; i < parameters.size(); i++) {
            statement.setObject(i + 1, parameters.get(i));
        }
    }

    private List<Control> query(String sql, List<Object> parameters) {
        return Jdbc.autoCommit(dataSource, "read controls", connection -> {
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                bind(query, parameters);
                List<Control> controls = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        String attributes = rows.getString(7);
                        controls.add(new Control(rows.getLong(1), rows.getString(2), rows.getString(3),
                                rows.getString(4), rows.getString(5), rows.getString(6),
                                attributes == null ? null : json.readTree(attributes), rows.getString(8),
                                rows.getString(9), rows.getString(10), rows.getObject(11, OffsetDateTime.class)));
                    }
                }
                return controls;
            }
        });
    }
}
