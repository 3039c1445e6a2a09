package io.latentqa.dataset.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The {@code job_items} table: the plan of a job that resumes item by item. The plan is written once, in one
 * transaction, so a resumed job finds the same items; each item moves PENDING → SENT → DONE | FAILED.
 */
@ApplicationScoped
public class JobItemRepository {

    private static final String COLUMNS = "job_id, item_key, ordinal, status, payload::text, attempts, sent_at, error";

    private final DataSource dataSource;
    private final ObjectMapper json;

    JobItemRepository(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** @return true when the job already has its plan (it is being resumed) */
    public boolean planned(String jobId) {
        return Jdbc.autoCommit(dataSource, "read the plan of job " + jobId, connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM job_items WHERE job_id = ? LIMIT 1")) {
                query.setString(1, jobId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    /** Writes the whole plan, all or nothing. */
    public void plan(String jobId, List<JobItem.Planned> items) {
        Jdbc.inTransactionUnchecked(dataSource, connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO job_items (job_id, item_key, ordinal,"
                    + " status, payload) VALUES (?, ?, ?, 'PENDING', ?::jsonb) ON CONFLICT (job_id, item_key) DO NOTHING")) {
                int ordinal = 0;
                for (JobItem.Planned item : items) {
                    insert.setString(1, jobId);
                    insert.setString(2, item.key());
                    insert.setInt(3, ordinal++);
                    insert.setString(4, json.writeValueAsString(item.payload()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    public Map<JobItem.Status, Integer> counts(String jobId) {
        return Jdbc.autoCommit(dataSource, "count items of job " + jobId, connection -> {
            Map<JobItem.Status, Integer> counts = new EnumMap<>(JobItem.Status.class);
            for (JobItem.Status status : JobItem.Status.values()) {
                counts.put(status, 0);
            }
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT status, count(*) FROM job_items WHERE job_id = ? GROUP BY status")) {
                query.setString(1, jobId);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        counts.put(JobItem.Status.valueOf(rows.getString(1)), rows.getInt(2));
                    }
                }
            }
            return counts;
        });
    }

    /** @return up to {@code limit} items in the given status, in plan order */
    public List<JobItem> withStatus(String jobId, JobItem.Status status, int limit) {
        return Jdbc.autoCommit(dataSource, "read items of job " + jobId, connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS + " FROM job_items"
                    + " WHERE job_id = ? AND status = ? ORDER BY ordinal LIMIT ?")) {
                query.setString(1, jobId);
                query.setString(2, status.name());
                query.setInt(3, limit);
                return items(query);
            }
        });
    }

    /** @return SENT items sent before {@code cutoff}: their answer is overdue */
    public List<JobItem> overdue(String jobId, OffsetDateTime cutoff) {
        return Jdbc.autoCommit(dataSource, "read items of job " + jobId, connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS + " FROM job_items"
                    + " WHERE job_id = ? AND status = 'SENT' AND sent_at < ? ORDER BY ordinal")) {
                query.setString(1, jobId);
                query.setObject(2, cutoff);
                return items(query);
            }
        });
    }

    /** Reads an item and locks it until the caller's transaction ends. */
    public Optional<JobItem> lock(Connection connection, String jobId, String key) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS + " FROM job_items"
                + " WHERE job_id = ? AND item_key = ? FOR UPDATE")) {
            query.setString(1, jobId);
            query.setString(2, key);
            List<JobItem> items = items(query);
            return items.isEmpty() ? Optional.empty() : Optional.of(items.get(0));
        }
    }

    /** PENDING → SENT, counting one attempt. @return false if the item was not PENDING */
    public boolean markSent(String jobId, String key) {
        return update("UPDATE job_items SET status = 'SENT', attempts = attempts + 1, sent_at = now(), updated_at = now()"
                + " WHERE job_id = ? AND item_key = ? AND status = 'PENDING'", null, jobId, key) == 1;
    }

    /** SENT → PENDING after a send that failed: that try does not count. */
    public void unsend(String jobId, String key, String error) {
        update("UPDATE job_items SET status = 'PENDING', attempts = attempts - 1, error = ?, updated_at = now()"
                + " WHERE job_id = ? AND item_key = ? AND status = 'SENT'", error, jobId, key);
    }

    /** SENT → PENDING: send it again. @return false if it was answered meanwhile */
    public boolean retry(String jobId, String key, String error) {
        return update("UPDATE job_items SET status = 'PENDING', error = ?, updated_at = now()"
                + " WHERE job_id = ? AND item_key = ? AND status = 'SENT'", error, jobId, key) == 1;
    }

    /** PENDING | SENT → FAILED. @return false if it had already finished */
    public boolean fail(String jobId, String key, String error) {
        return update("UPDATE job_items SET status = 'FAILED', error = ?, updated_at = now()"
                + " WHERE job_id = ? AND item_key = ? AND status IN ('PENDING', 'SENT')", error, jobId, key) == 1;
    }

    /** Sets an item's status on the caller's connection (inside its transaction). */
    public void setStatus(Connection connection, String jobId, String key, JobItem.Status status, String error)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE job_items SET status = ?, error = ?,"
                + " updated_at = now() WHERE job_id = ? AND item_key = ?")) {
            update.setString(1, status.name());
            update.setString(2, error);
            update.setString(3, jobId);
            update.setString(4, key);
            update.executeUpdate();
        }
    }

    /** Runs an update whose parameters are ({@code error} when the SQL sets one,) job id, item key. */
    private int update(String sql, String error, String jobId, String key) {
        boolean setsError = sql.contains("error = ?");
        return Jdbc.autoCommit(dataSource, "update item " + key + " of job " + jobId, connection -> {
            try (PreparedStatement update = connection.prepareStatement(sql)) {
                int index = 1;
                if (setsError) {
                    update.setString(index++, error);
                }
                update.setString(index++, jobId);
                update.setString(index, key);
                return update.executeUpdate();
            }
        });
    }

    private List<JobItem> items(PreparedStatement query) throws SQLException {
        List<JobItem> items = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                try {
                    items.add(new JobItem(rows.getString(1), rows.getString(2), rows.getInt(3),
                            JobItem.Status.valueOf(rows.getString(4)), json.readTree(rows.getString(5)), rows.getInt(6),
                            rows.getObject(7, OffsetDateTime.class), rows.getString(8)));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("job_items holds a payload that is not JSON", e);
                }
            }
        }
        return items;
    }
}
