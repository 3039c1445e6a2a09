package io.latentqa.dataset.record;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.dataset.job.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads the {@code qa_records} view: pages in a stable order (dialog id, then QA pair id). */
@ApplicationScoped
public class QaRecordRepository {

    private static final String COLUMNS = "id, dialog_id, qa_id, label, kind, record_kind, control, dialog::text,"
            + " question, answer, split, source, job_id, dialog_source, dialog_job_id, model_id, created_at";

    private final DataSource dataSource;
    private final ObjectMapper json;

    QaRecordRepository(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    public Page<QaRecord> page(RecordFilter filter, int page, int size) {
        List<Object> parameters = new ArrayList<>();
        String where = where(filter, parameters);
        return Jdbc.autoCommit(dataSource, "read QA records", connection -> {
            long total;
            try (PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM qa_records WHERE " + where)) {
                bind(count, parameters);
                try (ResultSet rows = count.executeQuery()) {
                    rows.next();
                    total = rows.getLong(1);
                }
            }
            List<QaRecord> records = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS + " FROM qa_records WHERE "
                    + where + " ORDER BY dialog_id, qa_id LIMIT " + size + " OFFSET " + ((long) page * size))) {
                bind(query, parameters);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        records.add(new QaRecord(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getString(4),
                                rows.getString(5), rows.getString(6), rows.getString(7), json.readTree(rows.getString(8)),
                                rows.getString(9), rows.getString(10), rows.getString(11), rows.getString(12),
                                rows.getString(13), rows.getString(14), rows.getString(15), rows.getString(16),
                                rows.getObject(17, OffsetDateTime.class)));
                    }
                }
            }
            return new Page<>(page, size, total, records);
        });
    }

    /** @return the kinds of the stored dialogs and controls */
    public Set<String> kinds() {
        return Jdbc.autoCommit(dataSource, "read kinds", connection -> {
            Set<String> kinds = new TreeSet<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT DISTINCT kind FROM dialogs UNION SELECT DISTINCT kind FROM controls");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    kinds.add(rows.getString(1));
                }
            }
            return kinds;
        });
    }

    private static String where(RecordFilter filter, List<Object> parameters) {
        StringBuilder where = new StringBuilder("true");
        if (filter.split() != null) {
            if ("unassigned".equals(filter.split())) {
                where.append(" AND split IS NULL");
            } else {
                where.append(" AND split = ?");
                parameters.add(filter.split());
            }
        }
        if (filter.kind() != null) {
            where.append(" AND kind = ?");
            parameters.add(filter.kind());
        }
        if (filter.source() != null) {
            where.append(" AND source = ?");
            parameters.add(filter.source());
        }
        if (filter.recordKind() != null) {
            where.append(" AND record_kind = ?");
            parameters.add(filter.recordKind());
        }
        if (filter.labelPrefix() != null) {
            where.append(" AND label LIKE ?");
            parameters.add(Labels.likePrefix(filter.labelPrefix()));
        }
        return where.toString();
    }

    private static void bind(PreparedStatement statement, List<Object> parameters) throws java.sql.SQLException {
        for (int i = 0; i < parameters.size(); i++) {
            statement.setObject(i + 1, parameters.get(i));
        }
    }
}
