package io.latentqa.steering.adapter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/** The steering adapters control jobs made (table steering_adapters). */
@ApplicationScoped
public class SteeringAdapterRepository {

    /**
     * One steering adapter.
     *
     * @param decoder the decoder that was its loss
     */
    public record SteeringAdapter(String adapterId, String jobId, String status, String digest, String uri, String baseModelId,
                                  String baseModelDigest, String decoder, OffsetDateTime publishedAt, OffsetDateTime retiredAt) {
    }

    private static final String COLUMNS = "adapter_id, job_id, status, digest, uri, base_model_id, base_model_digest, decoder,"
            + " published_at, retired_at";

    private final DataSource dataSource;

    SteeringAdapterRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void published(SteeringAdapter adapter) {
        update("INSERT INTO steering_adapters (adapter_id, job_id, status, digest, uri, base_model_id, base_model_digest, decoder)"
                + " VALUES (?, ?, 'published', ?, ?, ?, ?, ?) ON CONFLICT (adapter_id) DO UPDATE SET status = 'published',"
                + " digest = EXCLUDED.digest, uri = EXCLUDED.uri, published_at = now(), retired_at = NULL",
                adapter.adapterId(), adapter.jobId(), adapter.digest(), adapter.uri(), adapter.baseModelId(),
                adapter.baseModelDigest(), adapter.decoder());
    }

    /** @return false if there is no published adapter of that id */
    public boolean retire(String adapterId) {
        return update("UPDATE steering_adapters SET status = 'retired', retired_at = now() WHERE adapter_id = ? AND status = 'published'",
                adapterId) == 1;
    }

    public Optional<SteeringAdapter> find(String adapterId) {
        List<SteeringAdapter> found = query("SELECT " + COLUMNS + " FROM steering_adapters WHERE adapter_id = ?", adapterId);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Published ones (all with {@code includeRetired}), newest first. */
    public List<SteeringAdapter> list(boolean includeRetired) {
        return query("SELECT " + COLUMNS + " FROM steering_adapters" + (includeRetired ? "" : " WHERE status = 'published'")
                + " ORDER BY published_at DESC, adapter_id");
    }

    private List<SteeringAdapter> query(String sql, String... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setString(i + 1, parameters[i]);
            }
            List<SteeringAdapter> adapters = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    adapters.add(new SteeringAdapter(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                            rows.getString(5), rows.getString(6), rows.getString(7), rows.getString(8),
                            rows.getObject(9, OffsetDateTime.class), rows.getObject(10, OffsetDateTime.class)));
                }
            }
            return adapters;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read steering adapters: " + e.getMessage(), e);
        }
    }

    private int update(String sql, String... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not store steering adapter " + parameters[0] + ": " + e.getMessage(), e);
        }
    }
}
