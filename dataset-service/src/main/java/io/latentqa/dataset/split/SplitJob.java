package io.latentqa.dataset.split;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.dataset.job.InvalidParamsException;
import io.latentqa.dataset.job.Jdbc;
import io.latentqa.dataset.job.JobContext;
import io.latentqa.dataset.job.JobHandler;
import io.latentqa.dataset.job.JobOutcome;
import io.latentqa.dataset.job.JobParams;
import io.latentqa.dataset.job.JobType;
import io.latentqa.dataset.record.Labels;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * split: assigns every label (of controls, dialogs and QA pairs; optionally only those with a prefix) to train,
 * eval or test with {@link SplitAssigner}. Splitting is by label, never by record, so no label is in two
 * splits: every dialog and QA pair of a label follows it. The assignment is stored in {@code label_splits}
 * (label, split, seed, job) in one transaction; a label assigned before is re-assigned.
 * <p>
 * Params: {@code seed} (default 0), {@code train} (default 0.8), {@code eval} (default 0.1), {@code test}
 * (default: the rest; if given, the three must sum to 1), {@code labelPrefix}.
 */
@ApplicationScoped
public class SplitJob implements JobHandler {

    static final Set<String> PARAMS = Set.of("seed", "train", "eval", "test", "labelPrefix");

    private final DataSource dataSource;
    private final ObjectMapper json;

    SplitJob(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    @Override
    public JobType type() {
        return JobType.SPLIT;
    }

    record Plan(long seed, SplitAssigner assigner, String labelPrefix) {
    }

    @Override
    public void validate(JsonNode params) {
        plan(params);
    }

    private Plan plan(JsonNode raw) {
        JobParams params = JobParams.of(type(), raw, PARAMS);
        double train = params.number("train", 0.8, 0, 1);
        double eval = params.number("eval", 0.1, 0, 1);
        if (train + eval > 1 + 1e-9) {
            throw new InvalidParamsException("params.train + params.eval must be at most 1 (test gets the rest), got "
                    + train + " + " + eval);
        }
        if (params.has("test")) {
            double test = params.number("test", 0, 0, 1);
            if (Math.abs(train + eval + test - 1) > 1e-9) {
                throw new InvalidParamsException("params.train + params.eval + params.test must be 1, got " + train
                        + " + " + eval + " + " + test);
            }
        }
        return new Plan(params.longValue("seed", 0), new SplitAssigner(train, eval),
                params.string("labelPrefix").orElse(null));
    }

    @Override
    public JobOutcome run(JobContext context) throws Exception {
        Plan plan = plan(context.params());
        List<String> labels = labels(plan.labelPrefix());
        context.total(labels.size());
        context.done(0);
        TreeMap<String, Integer> counts = new TreeMap<>();
        int[] changed = {0};
        Jdbc.inTransaction(dataSource, connection -> {
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO label_splits (label, split, seed,"
                    + " job_id) VALUES (?, ?, ?, ?) ON CONFLICT (label) DO UPDATE SET split = EXCLUDED.split,"
                    + " seed = EXCLUDED.seed, job_id = EXCLUDED.job_id, assigned_at = now()")) {
                for (String label : labels) {
                    context.checkpoint();
                    String split = plan.assigner().assign(plan.seed(), label);
                    counts.merge(split, 1, Integer::sum);
                    if (!split.equals(current(connection, label))) {
                        changed[0]++;
                    }
                    upsert.setString(1, label);
                    upsert.setString(2, split);
                    upsert.setLong(3, plan.seed());
                    upsert.setString(4, context.jobId());
                    upsert.executeUpdate();
                    context.advance();
                }
            }
            return null;
        });
        ObjectNode result = json.createObjectNode();
        result.put("seed", plan.seed());
        result.put("labels", labels.size());
        for (String split : List.of("train", "eval", "test")) {
            result.put(split, counts.getOrDefault(split, 0));
        }
        result.put("changed", changed[0]);
        return JobOutcome.succeeded(result);
    }

    private static String current(Connection connection, String label) throws Exception {
        try (PreparedStatement query = connection.prepareStatement("SELECT split FROM label_splits WHERE label = ?")) {
            query.setString(1, label);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private List<String> labels(String prefix) {
        String where = prefix == null ? "" : " WHERE label LIKE ?";
        String sql = "SELECT label FROM controls" + where + " UNION SELECT label FROM dialogs" + where
                + " UNION SELECT label FROM qa_pairs" + where + " ORDER BY 1";
        return Jdbc.autoCommit(dataSource, "list labels", connection -> {
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                if (prefix != null) {
                    for (int i = 1; i <= 3; i++) {
                        query.setString(i, Labels.likePrefix(prefix));
                    }
                }
                List<String> labels = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        labels.add(rows.getString(1));
                    }
                }
                return labels;
            }
        });
    }
}
