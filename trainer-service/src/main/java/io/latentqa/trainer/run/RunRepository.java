package io.latentqa.trainer.run;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.trainer.eval.EvalResult;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@code runs} table (plain JDBC; the connection's current schema is the service's own). */
@ApplicationScoped
public class RunRepository {

    private static final String COLUMNS = "id, status, spec::text, source, created_at, updated_at, step, total_steps, loss,"
            + " tokens_per_second, eta_seconds, message, adapter_id, adapter_uri, adapter_digest, report_path";

    private final DataSource dataSource;
    private final ObjectMapper json;

    RunRepository(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /**
     * Inserts a queued run unless one with that id exists (a redelivered record changes nothing).
     *
     * @return true if this call inserted it
     */
    public boolean insertQueued(String id, String specJson, RunSource source) {
        String sql = "INSERT INTO runs (id, status, spec, source) VALUES (?, 'QUEUED', ?::jsonb, ?)"
                + " ON CONFLICT (id) DO NOTHING";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(sql)) {
            insert.setString(1, id);
            insert.setString(2, specJson);
            insert.setString(3, source.column());
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("could not insert run " + id + ": " + e.getMessage(), e);
        }
    }

    public Optional<Run> find(String id) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read run " + id + ": " + e.getMessage(), e);
        }
    }

    /** @return the newest runs first, at most {@code limit} */
    public List<Run> list(int limit) {
        String sql = "SELECT " + COLUMNS + " FROM runs ORDER BY created_at DESC, id LIMIT ?";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            query.setInt(1, limit);
            List<Run> runs = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    runs.add(read(rows));
                }
            }
            return runs;
        } catch (SQLException e) {
            throw new IllegalStateException("could not list runs: " + e.getMessage(), e);
        }
    }

    /** The run queued longest ago, if any. */
    public Optional<Run> nextQueued() {
        String sql = "SELECT " + COLUMNS + " FROM runs WHERE status = 'QUEUED' AND NOT cancel_requested"
                + " ORDER BY queued_at, id LIMIT 1";
        return queryOne(sql, statement -> { });
    }

    /** Runs that will train before this queued one (the running run included). */
    public int ahead(String id) {
        String sql = "SELECT count(*) FROM runs r, runs me WHERE me.id = ? AND (r.status = 'RUNNING'"
                + " OR (r.status = 'QUEUED' AND (r.queued_at, r.id) < (me.queued_at, me.id)))";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count the runs ahead of " + id + ": " + e.getMessage(), e);
        }
    }

    /** Runs left RUNNING by a process that died go back to the queue (they resume from their last checkpoint). */
    public int requeueInterrupted() {
        return update("UPDATE runs SET status = 'QUEUED', message = 'interrupted; resumes from its last checkpoint',"
                + " updated_at = now() WHERE status = 'RUNNING'", statement -> { });
    }

    /**
     * QUEUED -> RUNNING before the model and data are loaded, which takes minutes for large datasets, so the
     * run says what it is doing rather than "queued". @return false if the run was not queued any more (cancelled)
     */
    public boolean begin(String id) {
        return update("UPDATE runs SET status = 'RUNNING', message = 'preparing: loading the model',"
                + " started_at = coalesce(started_at, now()), updated_at = now() WHERE id = ? AND status = 'QUEUED'",
                s -> s.setString(1, id)) == 1;
    }

    /** A running run's message while it prepares; a requested cancel keeps its "cancelling". */
    public void preparing(String id, String message) {
        update("UPDATE runs SET message = ?, updated_at = now() WHERE id = ? AND status = 'RUNNING' AND NOT cancel_requested",
                s -> {
                    s.setString(1, "preparing: " + message);
                    s.setString(2, id);
                });
    }

    /** The prepared run starts its steps: how many there are, and where it resumes. */
    public void training(String id, int totalSteps, int step) {
        update("UPDATE runs SET total_steps = ?, step = ?, message = 'training', updated_at = now()"
                + " WHERE id = ? AND status = 'RUNNING' AND NOT cancel_requested", s -> {
                    s.setInt(1, totalSteps);
                    s.setInt(2, step);
                    s.setString(3, id);
                });
    }

    /** Records one optimizer step: the step row and the run's progress fields. */
    public void step(String id, int step, double loss, double learningRate, double gradientNorm, double tokensPerSecond,
                     double etaSeconds) {
        update("INSERT INTO run_steps (run_id, step, loss, learning_rate, gradient_norm, tokens_per_second)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, step) DO UPDATE SET loss = excluded.loss,"
                + " learning_rate = excluded.learning_rate, gradient_norm = excluded.gradient_norm,"
                + " tokens_per_second = excluded.tokens_per_second, created_at = now()", s -> {
                    s.setString(1, id);
                    s.setInt(2, step);
                    s.setDouble(3, loss);
                    s.setDouble(4, learningRate);
                    s.setDouble(5, gradientNorm);
                    s.setDouble(6, tokensPerSecond);
                });
        update("UPDATE runs SET step = ?, loss = ?, tokens_per_second = ?, eta_seconds = ?, updated_at = now() WHERE id = ?", s -> {
            s.setInt(1, step);
            s.setDouble(2, loss);
            s.setDouble(3, tokensPerSecond);
            s.setDouble(4, etaSeconds);
            s.setString(5, id);
        });
    }

    /** The loss of every recorded step up to {@code upTo}, in step order: (step, loss). */
    public List<double[]> losses(String id, int upTo) {
        List<double[]> out = new ArrayList<>();
        String sql = "SELECT step, loss FROM run_steps WHERE run_id = ? AND step <= ? ORDER BY step";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, id);
            query.setInt(2, upTo);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    out.add(new double[]{rows.getInt(1), rows.getDouble(2)});
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the steps of run " + id + ": " + e.getMessage(), e);
        }
    }

    /** Records a checkpoint folder. */
    public void checkpoint(String id, int step, long microStep, String path) {
        update("INSERT INTO checkpoints (run_id, step, micro_step, path) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (run_id, step) DO UPDATE SET path = excluded.path, micro_step = excluded.micro_step", s -> {
                    s.setString(1, id);
                    s.setInt(2, step);
                    s.setLong(3, microStep);
                    s.setString(4, path);
                });
    }

    /** The run's checkpoint folders by step. */
    public SortedMap<Integer, String> checkpoints(String id) {
        String sql = "SELECT step, path FROM checkpoints WHERE run_id = ? ORDER BY step";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, id);
            SortedMap<Integer, String> checkpoints = new TreeMap<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    checkpoints.put(rows.getInt(1), rows.getString(2));
                }
            }
            return checkpoints;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the checkpoints of run " + id + ": " + e.getMessage(), e);
        }
    }

    /** The newest checkpoint's folder, if the run has one. */
    public Optional<String> lastCheckpoint(String id) {
        String sql = "SELECT path FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the checkpoints of run " + id + ": " + e.getMessage(), e);
        }
    }

    /** Records an evaluation. */
    public void evaluation(String id, int step, EvalResult r) {
        update("INSERT INTO evaluations (run_id, step, loss, mc_accuracy, mc_accuracy_normalised, mc_untrained_normalised,"
                + " mc_shuffled_normalised, mc_no_activations, exact_match, token_f1, rouge_l)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, step) DO NOTHING", s -> {
                    s.setString(1, id);
                    s.setInt(2, step);
                    double[] values = {r.loss(), r.mcAccuracy(), r.mcAccuracyNormalised(), r.untrainedNormalised(),
                            r.shuffledNormalised(), r.noActivations(), r.exactMatch(), r.tokenF1(), r.rougeL()};
                    for (int k = 0; k < values.length; k++) {
                        setDouble(s, 3 + k, values[k]);
                    }
                });
    }

    /** Eval losses (step, loss) of a run. */
    public List<double[]> evalLosses(String id) {
        List<double[]> out = new ArrayList<>();
        String sql = "SELECT step, loss FROM evaluations WHERE run_id = ? AND loss IS NOT NULL ORDER BY step";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    out.add(new double[]{rows.getInt(1), rows.getDouble(2)});
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the evaluations of run " + id + ": " + e.getMessage(), e);
        }
    }

    /** A final status with its message; the adapter fields may be null. */
    public void finish(String id, RunStatus status, String message, String adapterId, String adapterUri, String adapterDigest,
                       String reportPath) {
        update("UPDATE runs SET status = ?, message = ?, adapter_id = ?, adapter_uri = ?, adapter_digest = ?, report_path = ?,"
                + " eta_seconds = CASE WHEN ? = 'SUCCEEDED' THEN 0 ELSE eta_seconds END, finished_at = now(), updated_at = now()"
                + " WHERE id = ?", s -> {
                    s.setString(1, status.name());
                    s.setString(2, message);
                    s.setString(3, adapterId);
                    s.setString(4, adapterUri);
                    s.setString(5, adapterDigest);
                    s.setString(6, reportPath);
                    s.setString(7, status.name());
                    s.setString(8, id);
                });
    }

    /** Asks a queued or running run to stop; a queued one is cancelled at once. @return false if it had finished */
    public boolean requestCancel(String id) {
        int queued = update("UPDATE runs SET status = 'CANCELLED', cancel_requested = true, message = 'cancelled before it started',"
                + " finished_at = now(), updated_at = now() WHERE id = ? AND status = 'QUEUED'", s -> s.setString(1, id));
        int running = update("UPDATE runs SET cancel_requested = true, message = 'cancelling', updated_at = now()"
                + " WHERE id = ? AND status = 'RUNNING'", s -> s.setString(1, id));
        return queued + running > 0;
    }

    /** Puts a failed or cancelled run back in the queue. @return false if the run is in another state */
    public boolean requeue(String id, String message) {
        return update("UPDATE runs SET status = 'QUEUED', cancel_requested = false, message = ?, finished_at = NULL,"
                + " queued_at = now(), updated_at = now() WHERE id = ? AND status IN ('FAILED', 'CANCELLED')", s -> {
                    s.setString(1, message);
                    s.setString(2, id);
                }) > 0;
    }

    /**
     * Puts a succeeded run back in the queue under a spec asking for more steps (it resumes from its last
     * checkpoint). @return false if the run is not SUCCEEDED any more
     */
    public boolean requeueExtended(String id, String specJson, int totalSteps, String message) {
        return update("UPDATE runs SET status = 'QUEUED', spec = ?::jsonb, total_steps = ?, cancel_requested = false,"
                + " message = ?, finished_at = NULL, eta_seconds = NULL, queued_at = now(), updated_at = now()"
                + " WHERE id = ? AND status = 'SUCCEEDED'",
                s -> {
                    s.setString(1, specJson);
                    s.setInt(2, totalSteps);
                    s.setString(3, message);
                    s.setString(4, id);
                }) > 0;
    }

    public boolean cancelRequested(String id) {
        String sql = "SELECT cancel_requested FROM runs WHERE id = ?";
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read run " + id + ": " + e.getMessage(), e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not update runs (" + sql.substring(0, Math.min(40, sql.length())) + "...): "
                    + e.getMessage(), e);
        }
    }

    private Optional<Run> queryOne(String sql, Binder binder) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            binder.bind(query);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read runs: " + e.getMessage(), e);
        }
    }

    private static void setDouble(PreparedStatement s, int index, double value) throws SQLException {
        if (Double.isNaN(value)) {
            s.setNull(index, java.sql.Types.DOUBLE);
        } else {
            s.setDouble(index, value);
        }
    }

    private Run read(ResultSet rows) throws SQLException {
        try {
            return new Run(
                    rows.getString(1),
                    RunStatus.valueOf(rows.getString(2)),
                    json.readTree(rows.getString(3)),
                    RunSource.valueOf(rows.getString(4).toUpperCase(java.util.Locale.ROOT)),
                    rows.getObject(5, OffsetDateTime.class),
                    rows.getObject(6, OffsetDateTime.class),
                    new RunProgress(rows.getInt(7), (Integer) rows.getObject(8), (Double) rows.getObject(9),
                            (Double) rows.getObject(10), (Double) rows.getObject(11), rows.getString(12), rows.getString(13),
                            rows.getString(14), rows.getString(15), rows.getString(16)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("runs.spec holds invalid JSON: " + e.getMessage(), e);
        }
    }
}
