package io.latentqa.decoder.monitor;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/** The {@code monitors} and {@code readings} tables (plain JDBC, the service's own schema). */
@ApplicationScoped
public class MonitorRepository {

    private static final String COLUMNS = "id, name, question, rule, answers, flag_answer, threshold, normalise, pattern,"
            + " model_filter, source_filter, created_at, updated_at";

    private final DataSource dataSource;

    MonitorRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void insert(Monitor m) {
        String sql = "INSERT INTO monitors (name, question, rule, answers, flag_answer, threshold, normalise, pattern,"
                + " model_filter, source_filter, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        write(sql, m);
    }

    /** @return whether the monitor existed */
    public boolean update(Monitor m) {
        String sql = "UPDATE monitors SET name = ?, question = ?, rule = ?, answers = ?, flag_answer = ?, threshold = ?,"
                + " normalise = ?, pattern = ?, model_filter = ?, source_filter = ?, updated_at = now() WHERE id = ?";
        return write(sql, m) == 1;
    }

    /** @return whether the monitor existed */
    public boolean delete(UUID id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("DELETE FROM monitors WHERE id = ?")) {
            s.setObject(1, id);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("could not delete monitor " + id + ": " + e.getMessage(), e);
        }
    }

    public Optional<Monitor> find(UUID id) {
        List<Monitor> found = query("SELECT " + COLUMNS + " FROM monitors WHERE id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Every monitor, oldest first. */
    public List<Monitor> list() {
        return query("SELECT " + COLUMNS + " FROM monitors ORDER BY created_at, id", null);
    }

    public void insertReading(ReadingRecord r) {
        String sql = "INSERT INTO readings (activation_id, monitor_id, question, answer, score, flagged, model_id, adapter,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, r.activationId());
            s.setObject(2, r.monitorId());
            s.setString(3, r.question());
            s.setString(4, r.answer());
            s.setDouble(5, r.score());
            s.setBoolean(6, r.flagged());
            s.setString(7, r.modelId());
            s.setString(8, r.adapter());
            s.setTimestamp(9, Timestamp.from(r.createdAt()));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the reading of " + r.activationId() + " by monitor "
                    + r.monitorId() + ": " + e.getMessage(), e);
        }
    }

    /** A monitor's readings, newest first. */
    public List<ReadingRecord> readings(UUID monitorId, String activationId, int limit) {
        String sql = "SELECT activation_id, monitor_id, question, answer, score, flagged, model_id, adapter, created_at"
                + " FROM readings WHERE (? IS NULL OR monitor_id = ?) AND (? IS NULL OR activation_id = ?)"
                + " ORDER BY id DESC LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, monitorId, Types.OTHER);
            s.setObject(2, monitorId, Types.OTHER);
            s.setString(3, activationId);
            s.setString(4, activationId);
            s.setInt(5, limit);
            List<ReadingRecord> out = new ArrayList<>();
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    out.add(new ReadingRecord(rows.getString(1), rows.getObject(2, UUID.class), rows.getString(3),
                            rows.getString(4), rows.getDouble(5), rows.getBoolean(6), rows.getString(7),
                            rows.getString(8), rows.getObject(9, OffsetDateTime.class).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read readings: " + e.getMessage(), e);
        }
    }

    private int write(String sql, Monitor m) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, m.name());
            s.setString(2, m.question());
            s.setString(3, m.rule());
            if (m.answers() == null) {
                s.setNull(4, Types.ARRAY);
            } else {
                s.setArray(4, c.createArrayOf("text", m.answers().toArray()));
            }
            s.setString(5, m.flagAnswer());
            if (m.threshold() == null) {
                s.setNull(6, Types.DOUBLE);
            } else {
                s.setDouble(6, m.threshold());
            }
            s.setBoolean(7, m.normalise());
            s.setString(8, m.pattern());
            s.setString(9, m.modelFilter());
            s.setString(10, m.sourceFilter());
            s.setObject(11, m.id());
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not write monitor " + m.id() + ": " + e.getMessage(), e);
        }
    }

    private List<Monitor> query(String sql, UUID id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            if (id != null) {
                s.setObject(1, id);
            }
            List<Monitor> out = new ArrayList<>();
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    Array answers = rows.getArray(5);
                    double threshold = rows.getDouble(7);
                    Double boxed = rows.wasNull() ? null : threshold;
                    out.add(new Monitor(rows.getObject(1, UUID.class), rows.getString(2), rows.getString(3),
                            rows.getString(4), answers == null ? null : Arrays.asList((String[]) answers.getArray()),
                            rows.getString(6), boxed, rows.getBoolean(8), rows.getString(9), rows.getString(10),
                            rows.getString(11), rows.getObject(12, OffsetDateTime.class),
                            rows.getObject(13, OffsetDateTime.class)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read monitors: " + e.getMessage(), e);
        }
    }
}
