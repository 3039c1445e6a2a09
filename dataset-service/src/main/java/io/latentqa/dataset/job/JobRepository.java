package io.latentqa.dataset.job;

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

import io.latentqa.dataset.DatasetConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@code jobs} table. Progress and errors are written on their own auto-commit connections, so they are
 * visible while a job's records are still in an open transaction. */
@ApplicationScoped
public class JobRepository {

    private static final String COLUMNS = "id, type, status, params::text, total, done, error_count, errors::text,"
            + " result::text, message, cancel_requested, runs, created_at, started_at, updated_at, finished_at";

    private final DataSource dataSource;
    private final ObjectMapper json;
    private final int maxStoredErrors;

    JobRepository(DataSource dataSource, ObjectMapper json, DatasetConfig config) {
        this.dataSource = dataSource;
        this.json = json;
        this.maxStoredErrors = config.jobs().maxStoredErrors();
    }

    public void insert(String id, JobType type, JsonNode params) {
        Jdbc.autoCommit(dataSource, "store job " + id, connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO jobs (id, type, status, params) VALUES (?, ?, 'QUEUED', ?::jsonb)")) {
                insert.setString(1, id);
                insert.setString(2, type.wireName());
                insert.setString(3, json.writeValueAsString(params));
                return insert.executeUpdate();
            }
        });
    }

    public Optional<Job> find(String id) {
        List<Job> jobs = query("SELECT " + COLUMNS + " FROM jobs WHERE id = ?", id);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }

    /** @return the newest jobs first */
    public List<Job> list(int limit) {
        return query("SELECT " + COLUMNS + " FROM jobs ORDER BY created_at DESC, id LIMIT ?", limit);
    }

    /** @return ids of the jobs that were queued or running when the service stopped, oldest first */
    public List<String> unfinished() {
        return Jdbc.autoCommit(dataSource, "list unfinished jobs", connection -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT id FROM jobs WHERE status IN ('QUEUED', 'RUNNING') ORDER BY created_at, id");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        });
    }

    /** Marks the job RUNNING (again, on a resume). @return false if it is finished or gone */
    public boolean claim(String id) {
        return update("UPDATE jobs SET status = 'RUNNING', runs = runs + 1, started_at = COALESCE(started_at, now()),"
                + " message = NULL, updated_at = now() WHERE id = ? AND status IN ('QUEUED', 'RUNNING')", id) == 1;
    }

    public void progress(String id, int done, int total) {
        Jdbc.autoCommit(dataSource, "store progress of job " + id, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE jobs SET done = ?, total = ?, updated_at = now() WHERE id = ?")) {
                update.setInt(1, done);
                update.setInt(2, total);
                update.setString(3, id);
                return update.executeUpdate();
            }
        });
    }

    /** Appends errors; only the first {@code latentqa.dataset.jobs.max-stored-errors} are kept, all are counted. */
    public void addErrors(String id, List<JobError> errors) {
        if (errors.isEmpty()) {
            return;
        }
        Jdbc.autoCommit(dataSource, "store errors of job " + id, connection -> addErrors(connection, id, errors));
    }

    /** {@link #addErrors(String, List)} on the caller's connection (inside its transaction). */
    public int addErrors(Connection connection, String id, List<JobError> errors) throws SQLException {
        if (errors.isEmpty()) {
            return 0;
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE jobs SET error_count = error_count + ?,"
                + " errors = (SELECT COALESCE(jsonb_agg(kept.e ORDER BY kept.n), '[]'::jsonb) FROM (SELECT e, n"
                + " FROM jsonb_array_elements(errors || ?::jsonb) WITH ORDINALITY AS a(e, n) ORDER BY n LIMIT ?) kept),"
                + " updated_at = now() WHERE id = ?")) {
            update.setInt(1, errors.size());
            update.setString(2, json.writeValueAsString(errors));
            update.setInt(3, maxStoredErrors);
            update.setString(4, id);
            return update.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write job errors as JSON", e);
        }
    }

    public void message(String id, String message) {
        Jdbc.autoCommit(dataSource, "store message of job " + id, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE jobs SET message = ?, updated_at = now() WHERE id = ?")) {
                update.setString(1, message);
                update.setString(2, id);
                return update.executeUpdate();
            }
        });
    }

    /** Ends the job, unless it already ended. */
    public void finish(String id, JobStatus status, JsonNode result, String message) {
        Jdbc.autoCommit(dataSource, "finish job " + id, connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE jobs SET status = ?,"
                    + " result = ?::jsonb, message = ?, finished_at = now(), updated_at = now()"
                    + " WHERE id = ? AND status IN ('QUEUED', 'RUNNING')")) {
                update.setString(1, status.name());
                update.setString(2, result == null ? null : json.writeValueAsString(result));
                update.setString(3, message);
                update.setString(4, id);
                return update.executeUpdate();
            }
        });
    }

    /**
     * Asks the job to stop: a queued job is cancelled at once, a running one at its next record boundary.
     *
     * @return false if the job had already finished
     */
    public boolean requestCancel(String id) {
        int cancelledNow = update("UPDATE jobs SET status = 'CANCELLED', cancel_requested = true, finished_at = now(),"
                + " message = 'cancelled before it started', updated_at = now() WHERE id = ? AND status = 'QUEUED'", id);
        return cancelledNow == 1 || update("UPDATE jobs SET cancel_requested = true, updated_at = now()"
                + " WHERE id = ? AND status = 'RUNNING'", id) == 1;
    }

    public boolean cancelRequested(String id) {
        return find(id).map(Job::cancelRequested).orElse(true);
    }

    private int update(String sql, String id) {
        return Jdbc.autoCommit(dataSource, "update job " + id, connection -> {
            try (PreparedStatement update = connection.prepareStatement(sql)) {
                update.setString(1, id);
                return update.executeUpdate();
            }
        });
    }

    private List<Job> query(String sql, Object parameter) {
        return Jdbc.autoCommit(dataSource, "read jobs", connection -> {
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                query.setObject(1, parameter);
                List<Job> jobs = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        jobs.add(job(rows));
                    }
                }
                return jobs;
            }
        });
    }

    private Job job(ResultSet rows) throws SQLException, JsonProcessingException {
        String result = rows.getString(9);
        return new Job(rows.getString(1),
                JobType.fromWireName(rows.getString(2)).orElseThrow(
                        () -> new IllegalStateException("jobs table holds an unknown job type")),
                JobStatus.valueOf(rows.getString(3)), json.readTree(rows.getString(4)), rows.getInt(5), rows.getInt(6),
                rows.getInt(7), json.readTree(rows.getString(8)), result == null ? null : json.readTree(result),
                rows.getString(10), rows.getBoolean(11), rows.getInt(12),
                rows.getObject(13, OffsetDateTime.class), rows.getObject(14, OffsetDateTime.class),
                rows.getObject(15, OffsetDateTime.class), rows.getObject(16, OffsetDateTime.class));
    }
}
