package io.latentqa.steering.control;

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

import io.latentqa.steering.score.ScoredControl;
import jakarta.enterprise.context.ApplicationScoped;

/** Control jobs, their steps and their adapters in the schema "steering" (plain JDBC). */
@ApplicationScoped
public class ControlRepository {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, status, control_text, qa, spec, step, total_steps, message, result, adapter_id,"
            + " created_at, started_at, finished_at, scoring";

    private final DataSource dataSource;

    ControlRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Queues a job; false if its id is taken. */
    public boolean insert(ControlSpec spec, JsonNode qa, JsonNode specJson) {
        String sql = "INSERT INTO control_jobs (id, status, control_text, qa, spec, total_steps, message, scoring)"
                + " VALUES (?, 'QUEUED', ?, ?::jsonb, ?::jsonb, ?, 'queued', ?) ON CONFLICT (id) DO NOTHING";
        return update(sql, spec.id(), spec.controlText(), qa.toString(), specJson.toString(), spec.steps(), spec.score()) == 1;
    }

    /** Turns a control's score on the activation stream on or off; false if there is no such job. */
    public boolean scoring(String id, boolean active) {
        return update("UPDATE control_jobs SET scoring = ?, updated_at = now() WHERE id = ?", active, id) == 1;
    }

    /** The controls scored on the activation stream: scoring on, and not failed or cancelled. */
    public List<ScoredControl> scoring() {
        String sql = "SELECT id, spec->>'decoder', qa FROM control_jobs WHERE scoring"
                + " AND status IN ('QUEUED', 'RUNNING', 'SUCCEEDED') ORDER BY created_at, id";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql);
                ResultSet rows = query.executeQuery()) {
            List<ScoredControl> controls = new ArrayList<>();
            while (rows.next()) {
                List<String[]> qa = new ArrayList<>();
                for (JsonNode pair : json(rows.getString(3))) {
                    qa.add(new String[] {pair.get(0).asText(), pair.get(1).asText()});
                }
                controls.add(new ScoredControl(rows.getString(1), rows.getString(2), qa));
            }
            return controls;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the scoring controls: " + e.getMessage(), e);
        }
    }

    public Optional<ControlJob> find(String id) {
        List<ControlJob> found = query("SELECT " + COLUMNS + " FROM control_jobs WHERE id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Newest first. */
    public List<ControlJob> list(int limit) {
        return query("SELECT " + COLUMNS + " FROM control_jobs ORDER BY created_at DESC, id LIMIT " + limit);
    }

    /** The oldest queued job. */
    public Optional<ControlJob> nextQueued() {
        List<ControlJob> found = query("SELECT " + COLUMNS + " FROM control_jobs WHERE status = 'QUEUED'"
                + " ORDER BY created_at, id LIMIT 1");
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** QUEUED → RUNNING; false if it is no longer queued (cancelled). */
    public boolean begin(String id) {
        return update("UPDATE control_jobs SET status = 'RUNNING', started_at = now(), message = 'preparing', updated_at = now()"
                + " WHERE id = ? AND status = 'QUEUED'", id) == 1;
    }

    /** What a running job is doing now. */
    public void message(String id, String message) {
        update("UPDATE control_jobs SET message = ?, updated_at = now() WHERE id = ?", message, id);
    }

    /** One step's losses. */
    public void step(String id, int step, double loss, double[] layerLosses, double gradNorm, double seconds) {
        String layers = layerLosses.length == 0 ? null : JSON.valueToTree(layerLosses).toString();
        update("INSERT INTO control_steps (job_id, step, loss, layer_losses, grad_norm, seconds) VALUES (?, ?, ?, ?::jsonb, ?, ?)"
                + " ON CONFLICT (job_id, step) DO UPDATE SET loss = EXCLUDED.loss", id, step, loss, layers, gradNorm, seconds);
        update("UPDATE control_jobs SET step = ?, message = ?, updated_at = now() WHERE id = ?", step,
                String.format("step %d, control loss %.4f", step, loss), id);
    }

    /** [step, loss] of every step, in order. */
    public List<double[]> losses(String id) {
        String sql = "SELECT step, loss FROM control_steps WHERE job_id = ? ORDER BY step";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, id);
            List<double[]> losses = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    losses.add(new double[] {rows.getInt(1), rows.getDouble(2)});
                }
            }
            return losses;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the steps of control job " + id + ": " + e.getMessage(), e);
        }
    }

    /** Asks a queued or running job to stop; false if it is neither. A queued job ends CANCELLED at once. */
    public boolean requestCancel(String id) {
        int queued = update("UPDATE control_jobs SET status = 'CANCELLED', cancel_requested = true, finished_at = now(),"
                + " message = 'cancelled before it started', updated_at = now() WHERE id = ? AND status = 'QUEUED'", id);
        return queued == 1 || update("UPDATE control_jobs SET cancel_requested = true, updated_at = now()"
                + " WHERE id = ? AND status = 'RUNNING'", id) == 1;
    }

    public boolean cancelRequested(String id) {
        String sql = "SELECT cancel_requested FROM control_jobs WHERE id = ?";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read control job " + id + ": " + e.getMessage(), e);
        }
    }

    /** Ends a running job. */
    public void finish(String id, ControlStatus status, String message, JsonNode result, String adapterId) {
        update("UPDATE control_jobs SET status = ?, message = ?, result = ?::jsonb, adapter_id = ?, finished_at = now(),"
                + " updated_at = now() WHERE id = ?", status.name(), message, result == null ? null : result.toString(), adapterId, id);
    }

    /**
     * Jobs left RUNNING by a process that died end FAILED with the reason: a control job does not resume (it is a
     * few minutes; submit it again).
     *
     * @return how many
     */
    public int failInterrupted() {
        return update("UPDATE control_jobs SET status = 'FAILED', finished_at = now(), updated_at = now(),"
                + " message = 'the steering service stopped while this job ran (at step ' || step || ' of ' || total_steps"
                + " || '); submit it again' WHERE status = 'RUNNING'");
    }

    private List<ControlJob> query(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            bind(query, parameters);
            List<ControlJob> jobs = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    jobs.add(new ControlJob(rows.getString(1), ControlStatus.valueOf(rows.getString(2)), rows.getString(3),
                            json(rows.getString(4)), json(rows.getString(5)), rows.getInt(6), rows.getInt(7), rows.getString(8),
                            json(rows.getString(9)), rows.getString(10), rows.getObject(11, OffsetDateTime.class),
                            rows.getObject(12, OffsetDateTime.class), rows.getObject(13, OffsetDateTime.class), rows.getBoolean(14)));
                }
            }
            return jobs;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read control jobs: " + e.getMessage(), e);
        }
    }

    private int update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not store control job data: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }

    private static JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable: " + e.getMessage(), e);
        }
    }
}
