package io.latentqa.dataset.generate;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

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
import io.latentqa.dataset.record.Control;
import io.latentqa.dataset.record.ControlRepository;
import io.latentqa.dataset.record.ControlSelection;
import io.latentqa.dataset.record.Dialog;
import io.latentqa.dataset.record.DialogRepository;
import io.latentqa.dataset.record.Message;
import io.latentqa.dataset.record.RecordKind;
import io.latentqa.dataset.record.Upserts;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * pair-stimuli: counterfactual {@code system} dialogs, each control's system prompt followed by the user turn of
 * another label. In the imported data every system prompt comes with a user turn written for it, on the same
 * topic, so a decoder can name the prompt from the user turn's own content without reading what the target made
 * of the hidden prompt. A paired dialog keeps the control's label (so its QA pairs apply) while its user turn
 * says nothing about it: only the target's attention to the masked prompt does.
 * <p>
 * The user turns come from imported dialogs of other labels in the control's split (labels without a split:
 * other labels without one), so no dialog carries text of another split. Choices are seeded and the natural key
 * is {@code pair:<label>#<seed>#<n>}: the same job run again writes nothing new.
 * <p>
 * Params: the control selection ({@code labelPrefix}, {@code kind}, {@code fromJob}, {@code limit}; imported
 * persona and goal controls: sqa scenarios and grammar controls have no system prompt), {@code perControl}
 * (default 1), {@code seed} (default 0).
 */
@ApplicationScoped
public class PairStimuliJob implements JobHandler {

    static final Set<String> PARAMS;

    static {
        Set<String> params = new LinkedHashSet<>(ControlSelection.PARAMS);
        params.remove("controlSource");
        params.addAll(Set.of("perControl", "seed"));
        PARAMS = Set.copyOf(params);
    }

    private final DataSource dataSource;
    private final ControlRepository controls;
    private final DialogRepository dialogs;
    private final ObjectMapper json;

    PairStimuliJob(DataSource dataSource, ControlRepository controls, DialogRepository dialogs, ObjectMapper json) {
        this.dataSource = dataSource;
        this.controls = controls;
        this.dialogs = dialogs;
        this.json = json;
    }

    @Override
    public JobType type() {
        return JobType.PAIR_STIMULI;
    }

    record Plan(ControlSelection selection, int perControl, long seed) {
    }

    /** An imported user turn, the label it was written for and that label's split ("" without one). */
    record Stimulus(String label, String text, String split) {
    }

    @Override
    public void validate(JsonNode params) {
        Plan plan = plan(params);
        if (controls.count(plan.selection()) == 0) {
            throw new InvalidParamsException("no " + plan.selection().describe() + "; import some with import-latentqa first,"
                    + " or change the selection");
        }
    }

    static Plan plan(JsonNode raw) {
        JobParams params = JobParams.of(JobType.PAIR_STIMULI, raw, PARAMS);
        ControlSelection chosen = ControlSelection.from(params);
        // grammar controls continue a story: they have no system prompt to pair
        ControlSelection selection = new ControlSelection(chosen.labelPrefix(), chosen.kind(), "import", chosen.fromJob(),
                chosen.limit());
        return new Plan(selection, params.integer("perControl", 1, 1, 100), params.longValue("seed", 0));
    }

    @Override
    public JobOutcome run(JobContext context) throws Exception {
        Plan plan = plan(context.params());
        // an sqa control is a scenario the user describes, not an instruction: it has no system-prompt form
        List<Control> selected = controls.select(plan.selection(), false).stream()
                .filter(control -> !"sqa".equals(control.kind())).toList();
        Map<String, List<Stimulus>> bySplit = new HashMap<>();
        for (Stimulus stimulus : importedStimuli()) {
            bySplit.computeIfAbsent(stimulus.split(), split -> new ArrayList<>()).add(stimulus);
        }
        Map<String, String> splits = labelSplits();
        context.total(selected.size());
        context.done(0);
        Upserts counts = new Upserts();
        int[] unpaired = {0};
        Jdbc.inTransaction(dataSource, connection -> {
            for (Control control : selected) {
                context.checkpoint();
                List<Stimulus> pool = bySplit.getOrDefault(splits.getOrDefault(control.label(), ""), List.of());
                List<Stimulus> chosen = choose(pool, control.label(), plan.perControl(), plan.seed());
                if (chosen.isEmpty()) {
                    unpaired[0]++;
                }
                for (int n = 0; n < chosen.size(); n++) {
                    Stimulus stimulus = chosen.get(n);
                    counts.count(dialogs.insertIfAbsent(connection, Dialog.toWrite(
                            "pair:" + control.label() + "#" + plan.seed() + "#" + n, control.label(), control.kind(),
                            RecordKind.SYSTEM, control.text(), stimulus.text(),
                            json.valueToTree(List.of(Message.system(control.text()), Message.user(stimulus.text()))),
                            "pairing", null, "user turn of " + stimulus.label(), context.jobId())));
                }
                context.advance();
            }
            return null;
        });
        ObjectNode result = json.createObjectNode();
        result.put("controls", selected.size());
        result.put("perControl", plan.perControl());
        result.put("seed", plan.seed());
        result.put("dialogs", counts.inserted());
        result.put("unchanged", counts.unchanged());
        result.put("controlsWithoutStimuli", unpaired[0]);
        return JobOutcome.succeeded(result);
    }

    /**
     * Up to {@code count} distinct user turns of labels other than {@code label}, drawn by a random generator
     * seeded from the job's seed and the label, so a control's pairs do not depend on which others are selected.
     */
    static List<Stimulus> choose(List<Stimulus> pool, String label, int count, long seed) {
        List<Stimulus> others = pool.stream().filter(s -> !s.label().equals(label)).toList();
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + label.hashCode());
        List<Stimulus> chosen = new ArrayList<>();
        Set<String> texts = new LinkedHashSet<>();
        for (int tries = 0; chosen.size() < Math.min(count, others.size()) && tries < 20 * count; tries++) {
            Stimulus candidate = others.get(random.nextInt(others.size()));
            if (texts.add(candidate.text())) {
                chosen.add(candidate);
            }
        }
        return chosen;
    }

    /** The distinct user turns of imported dialogs, with their label's split, in first-imported order. */
    private List<Stimulus> importedStimuli() {
        return Jdbc.autoCommit(dataSource, "read imported user turns", connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT d.label, d.stimulus_text,"
                    + " coalesce(s.split, '') FROM dialogs d LEFT JOIN label_splits s ON s.label = d.label"
                    + " WHERE d.source = 'import' AND d.stimulus_text IS NOT NULL"
                    + " GROUP BY d.label, d.stimulus_text, s.split ORDER BY min(d.id)");
                    ResultSet rows = query.executeQuery()) {
                List<Stimulus> stimuli = new ArrayList<>();
                while (rows.next()) {
                    stimuli.add(new Stimulus(rows.getString(1), rows.getString(2), rows.getString(3)));
                }
                return stimuli;
            }
        });
    }

    private Map<String, String> labelSplits() {
        return Jdbc.autoCommit(dataSource, "read label splits", connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT label, split FROM label_splits");
                    ResultSet rows = query.executeQuery()) {
                Map<String, String> splits = new HashMap<>();
                while (rows.next()) {
                    splits.put(rows.getString(1), rows.getString(2));
                }
                return splits;
            }
        });
    }
}
