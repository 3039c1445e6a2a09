package io.latentqa.dataset.capture;

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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.core.events.ActivationEvent;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@code captures} table (plain JDBC; the connection's current schema is the service's own). */
@ApplicationScoped
public class CaptureRepository {

    private static final String COLUMNS = "request_id, model_id, model_digest, layers, positions, token_count,"
            + " d_model, dialog::text, blob_uri, created_at, received_at";

    private final DataSource dataSource;
    private final ObjectMapper json;

    CaptureRepository(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** Stores the first capture of a request; a redelivered record changes nothing. */
    public void insert(ActivationEvent event, String dialogJson, String blobUri) {
        String sql = "INSERT INTO captures (request_id, model_id, model_digest, layers, positions, token_count,"
                + " d_model, dialog, blob_uri, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)"
                + " ON CONFLICT (request_id) DO NOTHING";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(sql)) {
            insert.setString(1, event.requestId());
            insert.setString(2, event.modelId());
            insert.setString(3, event.modelDigest());
            insert.setString(4, IntStream.of(event.layers()).mapToObj(Integer::toString)
                    .collect(Collectors.joining(",")));
            insert.setString(5, event.positions().toString());
            insert.setInt(6, event.tokens());
            insert.setInt(7, event.dModel());
            insert.setString(8, dialogJson);
            insert.setString(9, blobUri);
            insert.setTimestamp(10, Timestamp.from(event.createdAt()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not store capture " + event.requestId() + ": " + e.getMessage(), e);
        }
    }

    public Optional<Capture> find(String requestId) {
        List<Capture> found = query("SELECT " + COLUMNS + " FROM captures WHERE request_id = ?", requestId, null);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** @return the newest captures first */
    public List<Capture> list(int limit) {
        return query("SELECT " + COLUMNS + " FROM captures ORDER BY received_at DESC, request_id LIMIT ?", null, limit);
    }

    private List<Capture> query(String sql, String requestId, Integer limit) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            if (requestId != null) {
                query.setString(1, requestId);
            } else {
                query.setInt(1, limit);
            }
            List<Capture> captures = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    String dialog = rows.getString(8);
                    captures.add(new Capture(rows.getString(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), rows.getString(5), rows.getInt(6), rows.getInt(7),
                            dialog == null ? null : json.readTree(dialog), rows.getString(9),
                            rows.getObject(10, OffsetDateTime.class), rows.getObject(11, OffsetDateTime.class)));
                }
            }
            return captures;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("could not read captures: " + e.getMessage(), e);
        }
    }
}
