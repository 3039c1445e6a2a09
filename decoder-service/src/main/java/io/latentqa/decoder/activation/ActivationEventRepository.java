package io.latentqa.decoder.activation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import io.latentqa.core.events.ActivationEvent;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@code activation_events} table (plain JDBC; the connection's current schema is the service's own). */
@ApplicationScoped
public class ActivationEventRepository {

    private static final String COLUMNS = "id, request_id, model_id, model_digest, layers, positions, source,"
            + " token_count, d_model, has_dialog, blob_uri, value_bytes, kafka_partition, kafka_offset, created_at,"
            + " received_at";

    private final DataSource dataSource;

    ActivationEventRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Logs an event once per topic position: a redelivered record changes nothing. */
    public void insert(ActivationEvent event, String blobUri, int valueBytes, int partition, long offset) {
        String sql = "INSERT INTO activation_events (request_id, model_id, model_digest, layers, positions, source,"
                + " token_count, d_model, has_dialog, blob_uri, value_bytes, kafka_partition, kafka_offset,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (kafka_partition, kafka_offset) DO NOTHING";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(sql)) {
            insert.setString(1, event.requestId());
            insert.setString(2, event.modelId());
            insert.setString(3, event.modelDigest());
            insert.setString(4, IntStream.of(event.layers()).mapToObj(Integer::toString)
                    .collect(Collectors.joining(",")));
            insert.setString(5, event.positions().toString());
            insert.setString(6, event.source().wireName());
            insert.setInt(7, event.tokens());
            insert.setInt(8, event.dModel());
            insert.setBoolean(9, event.dialog() != null);
            insert.setString(10, blobUri);
            insert.setInt(11, valueBytes);
            insert.setInt(12, partition);
            insert.setLong(13, offset);
            insert.setTimestamp(14, Timestamp.from(event.createdAt()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not log activation event " + event.requestId() + ": "
                    + e.getMessage(), e);
        }
    }

    /** @return the latest event logged for the request id */
    public Optional<ActivationEventRecord> latest(String requestId) {
        String sql = "SELECT " + COLUMNS + " FROM activation_events WHERE request_id = ? ORDER BY id DESC LIMIT 1";
        List<ActivationEventRecord> found = query(sql, requestId, 1);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** @return the newest events first, of one source or of all when {@code source} is null */
    public List<ActivationEventRecord> list(String source, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM activation_events"
                + (source == null ? " WHERE ? IS NULL" : " WHERE source = ?") + " ORDER BY id DESC LIMIT ?";
        return query(sql, source, limit);
    }

    private List<ActivationEventRecord> query(String sql, String parameter, int limit) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, parameter);
            if (sql.endsWith("LIMIT ?")) {
                query.setInt(2, limit);
            }
            List<ActivationEventRecord> records = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    records.add(new ActivationEventRecord(rows.getLong(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), rows.getString(5), rows.getString(6), rows.getString(7),
                            rows.getInt(8), rows.getInt(9), rows.getBoolean(10), rows.getString(11),
                            rows.getInt(12), rows.getInt(13), rows.getLong(14),
                            rows.getObject(15, OffsetDateTime.class), rows.getObject(16, OffsetDateTime.class)));
                }
            }
            return records;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read activation events: " + e.getMessage(), e);
        }
    }
}
