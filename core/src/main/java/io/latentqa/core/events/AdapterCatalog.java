package io.latentqa.core.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * The adapters of one kind that a service knows from {@code latentqa.model-events}, kept in its own table
 * (plain JDBC; the connection's current schema is the service's own): capture-service keeps the steering
 * adapters ({@code steering_adapters}), steering-service the decoder adapters ({@code decoder_adapters}). The
 * tables have the same columns: adapter_id (key), status, digest, base_model_id, base_model_digest, run_id, uri,
 * event (jsonb), published_at, retired_at, updated_at.
 */
public class AdapterCatalog {

    private static final String COLUMNS = "adapter_id, status, digest, base_model_id, base_model_digest, run_id,"
            + " uri, published_at, retired_at, updated_at";

    private final DataSource dataSource;
    private final String kind;
    private final String table;

    /**
     * @param kind  the adapter kind kept ({@link ModelEvent#STEERING} or {@link ModelEvent#DECODER}); others are skipped
     * @param table the table, a fixed name of the service's schema (never from input)
     */
    public AdapterCatalog(DataSource dataSource, String kind, String table) {
        this.dataSource = dataSource;
        this.kind = kind;
        this.table = table;
    }

    /**
     * Applies one model event; events about other kinds of adapter are skipped.
     *
     * @return true if the catalogue changed
     */
    public boolean apply(ModelEvent event) {
        if (!kind.equals(event.kind())) {
            return false;
        }
        if (event.published()) {
            upsertPublished(event);
        } else {
            upsertRetired(event);
        }
        return true;
    }

    /** Records a published adapter; publishing again replaces what was known (the last event wins). */
    private void upsertPublished(ModelEvent event) {
        String sql = "INSERT INTO " + table + " (adapter_id, status, digest, base_model_id, base_model_digest,"
                + " run_id, uri, event, published_at) VALUES (?, 'published', ?, ?, ?, ?, ?, ?::jsonb, now())"
                + " ON CONFLICT (adapter_id) DO UPDATE SET status = 'published', digest = EXCLUDED.digest,"
                + " base_model_id = EXCLUDED.base_model_id, base_model_digest = EXCLUDED.base_model_digest,"
                + " run_id = EXCLUDED.run_id, uri = EXCLUDED.uri, event = EXCLUDED.event, published_at = now(),"
                + " retired_at = NULL, updated_at = now()";
        update(sql, event.adapterId(), event.digest(), event.baseModelId(), event.baseModelDigest(), event.runId(),
                event.uri(), event.json());
    }

    /** Marks an adapter retired; an adapter never seen before is recorded as retired. */
    private void upsertRetired(ModelEvent event) {
        String sql = "INSERT INTO " + table + " (adapter_id, status, event, retired_at)"
                + " VALUES (?, 'retired', ?::jsonb, now())"
                + " ON CONFLICT (adapter_id) DO UPDATE SET status = 'retired', event = EXCLUDED.event,"
                + " retired_at = now(), updated_at = now()";
        update(sql, event.adapterId(), event.json());
    }

    /** The adapter with this id, published or retired. */
    public Optional<AdapterEntry> find(String adapterId) {
        String sql = "SELECT " + COLUMNS + " FROM " + table + " WHERE adapter_id = ?";
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
    public List<AdapterEntry> list(boolean includeRetired) {
        String sql = "SELECT " + COLUMNS + " FROM " + table
                + (includeRetired ? "" : " WHERE status = 'published'") + " ORDER BY adapter_id";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql);
                ResultSet rows = query.executeQuery()) {
            List<AdapterEntry> adapters = new ArrayList<>();
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

    private static AdapterEntry read(ResultSet rows) throws SQLException {
        return new AdapterEntry(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                rows.getString(5), rows.getString(6), rows.getString(7), rows.getObject(8, OffsetDateTime.class),
                rows.getObject(9, OffsetDateTime.class), rows.getObject(10, OffsetDateTime.class));
    }
}
