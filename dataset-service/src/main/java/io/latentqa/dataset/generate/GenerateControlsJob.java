package io.latentqa.dataset.generate;

import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.core.grammar.Grammar;
import io.latentqa.core.grammar.GrammarControl;
import io.latentqa.core.grammar.Grammars;
import io.latentqa.core.grammar.StoryGrammar;
import io.latentqa.dataset.job.InvalidParamsException;
import io.latentqa.dataset.job.Jdbc;
import io.latentqa.dataset.job.JobContext;
import io.latentqa.dataset.job.JobHandler;
import io.latentqa.dataset.job.JobOutcome;
import io.latentqa.dataset.job.JobParams;
import io.latentqa.dataset.job.JobType;
import io.latentqa.dataset.record.ControlRepository;
import io.latentqa.dataset.record.Dialog;
import io.latentqa.dataset.record.DialogRepository;
import io.latentqa.dataset.record.Message;
import io.latentqa.dataset.record.RecordKind;
import io.latentqa.dataset.record.Upserts;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * generate-controls: {@code count} distinct controls drawn from a grammar with a seeded random generator, each
 * stored with its attribute values, plus its control record (the model reading the opening itself, like the
 * reference's control.json records). The same seed draws the same controls, and a label names one combination
 * of values, so running a job twice adds nothing. All controls are written in one transaction.
 * <p>
 * Params: {@code grammar} (default stories), {@code count} (default 100), {@code seed} (default 0).
 */
@ApplicationScoped
public class GenerateControlsJob implements JobHandler {

    static final Set<String> PARAMS = Set.of("grammar", "count", "seed");

    private final DataSource dataSource;
    private final ControlRepository controls;
    private final DialogRepository dialogs;
    private final ObjectMapper json;

    GenerateControlsJob(DataSource dataSource, ControlRepository controls, DialogRepository dialogs, ObjectMapper json) {
        this.dataSource = dataSource;
        this.controls = controls;
        this.dialogs = dialogs;
        this.json = json;
    }

    @Override
    public JobType type() {
        return JobType.GENERATE_CONTROLS;
    }

    record Plan(Grammar grammar, int count, long seed) {
    }

    @Override
    public void validate(JsonNode params) {
        plan(params);
    }

    private Plan plan(JsonNode raw) {
        JobParams params = JobParams.of(type(), raw, PARAMS);
        String name = params.string("grammar").orElse(StoryGrammar.NAME);
        Grammar grammar = Grammars.byName(name).orElseThrow(() -> new InvalidParamsException(
                "unknown grammar '" + name + "'; allowed: " + Grammars.allowed()));
        return new Plan(grammar, params.integer("count", 100, 1, 100_000), params.longValue("seed", 0));
    }

    @Override
    public JobOutcome run(JobContext context) throws Exception {
        Plan plan = plan(context.params());
        List<GrammarControl> drawn = Grammars.drawDistinct(plan.grammar(), plan.count(), plan.seed());
        context.total(drawn.size());
        context.done(0);
        Upserts controlCounts = new Upserts();
        Jdbc.inTransaction(dataSource, connection -> {
            for (GrammarControl control : drawn) {
                context.checkpoint();
                String kind = plan.grammar().kind();
                controlCounts.count(controls.insertGrammar(connection, control.label(), kind, control.text(),
                        plan.grammar().name(), json.valueToTree(control.attributes()), context.jobId()));
                dialogs.insertIfAbsent(connection, Dialog.toWrite("grammar:" + control.label(), control.label(), kind,
                        RecordKind.CONTROL, control.text(), null, json.valueToTree(List.of(Message.user(control.text()))),
                        "grammar", null, null, context.jobId()));
                context.advance();
            }
            return null;
        });
        ObjectNode result = json.createObjectNode();
        result.put("grammar", plan.grammar().name());
        result.put("seed", plan.seed());
        result.put("count", drawn.size());
        result.set("controls", json.valueToTree(controlCounts.asMap()));
        return JobOutcome.succeeded(result);
    }
}
