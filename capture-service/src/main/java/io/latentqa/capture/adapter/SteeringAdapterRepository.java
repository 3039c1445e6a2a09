package io.latentqa.capture.adapter;

import io.latentqa.core.events.ModelEvent;
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

/** The {@code steering_adapters} table (plain JDBC; the connection's current schema is the service's own). */
@ApplicationScoped
public class SteeringAdapterRepository {

    private static final String COLUMNS = "adapter_id, status, digest, base_model_id, base_model_digest, run_id,"
            + " uri, published_at, retired_at, updated_at";

    private final DataSource dataSource;

    SteeringAdapterRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records a published adapter; publishing again replaces what was known (the last event wins). */
    public void upsertPublished(ModelEvent event) {
        String sql = "INSERT INTO steering_adapters (adapter_id, status, digest, base_model_id, base_model_digest,"
                + " run_id, uri, event, published_at) VALUES (?, 'published', ?, ?, ?, ?, ?, ?::jsonb, now())"
                + " ON CONFLICT (adapter_id) DO UPDATE SET status = 'published', digest = EXCLUDED.digest,"
                + " base_model_id = EXCLUDED.base_model_id, base_model_digest = EXCLUDED.base_model_digest,"
                + " run_id = EXCLUDED.run_id, uri = EXCLUDED.uri, event = EXCLUDED.event, published_at = now(),"
                + " retired_at = NULL, updated_at = now()";
        update(sql, event.adapterId(), event.digest(), event.baseModelId(), event.baseModelDigest(), event.runId(),
                event.uri(), event.json());
    }

    /** Marks an adapter retired; an adapter never seen before is recorded as retired. */
    public void upsertRetired(ModelEvent event) {
        String sql = "INSERT INTO steering_adapters (adapter_id, status, event, retired_at)"
                + " VALUES (?, 'retired', ?::jsonb, now())"
                + " ON CONFLICT (adapter_id) DO UPDATE SET status = 'retired', event = EXCLUDED.event,"
                + " retired_at = now(), updated_at = now()";
        update(sql, event.adapterId(), event.json());
    }

    public Optional<SteeringAdapter> find(String adapterId) {
        String sql = "SELECT " + COLUMNS + " FROM steering_adapters WHERE adapter_id = ?";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, adapterId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read adapter " + adapterId + ": " + e.getMessage(), e);
        }
    }

    /** @return adapters in id order, only published ones unless {@code includeRetired} */
    public List<SteeringAdapter> list(boolean includeRetired) {
        String sql = "SELECT " + COLUMNS + " FROM steering_adapters"
                + (includeRetired ? "" : " WHERE status = 'published'") + " ORDER BY adapter_id";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql);
                ResultSet rows = query.executeQuery()) {
            List<SteeringAdapter> adapters = new ArrayList<>();
            while (rows.next()) {
                adapters.add(read(rows));
            }
            return adapters;
        } catch (SQLException e) {
            throw new IllegalStateException("could not list adapters: " + e.getMessage(), e);
        }
    }

    private void update(String sql, String... parameters) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not store adapter " + parameters[0] + ": " + e.getMessage(), e);
        }
    }

    private static SteeringAdapter read(ResultSet rows) throws SQLException {
        return new SteeringAdapter(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                rows.getString(5), rows.getString(6), rows.getString(7), rows.getObject(8, OffsetDateTime.class),
                rows.getObject(9, OffsetDateTime.class), rows.getObject(10, OffsetDateTime.class));
    }
}
