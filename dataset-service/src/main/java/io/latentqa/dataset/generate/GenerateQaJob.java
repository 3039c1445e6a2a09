package io.latentqa.dataset.generate;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.core.grammar.TemplateQa;
import io.latentqa.dataset.DatasetConfig;
import io.latentqa.dataset.job.InvalidParamsException;
import io.latentqa.dataset.job.Jdbc;
import io.latentqa.dataset.job.JobContext;
import io.latentqa.dataset.job.JobError;
import io.latentqa.dataset.job.JobHandler;
import io.latentqa.dataset.job.JobItem;
import io.latentqa.dataset.job.JobItemRepository;
import io.latentqa.dataset.job.JobOutcome;
import io.latentqa.dataset.job.JobParams;
import io.latentqa.dataset.job.JobStoppedException;
import io.latentqa.dataset.job.JobType;
import io.latentqa.dataset.record.Control;
import io.latentqa.dataset.record.ControlRepository;
import io.latentqa.dataset.record.ControlSelection;
import io.latentqa.dataset.record.QaPair;
import io.latentqa.dataset.record.QaPairRepository;
import io.latentqa.dataset.record.Upserts;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * generate-qa: QA pairs for the selected controls that have none yet.
 * <ul>
 * <li>{@code method=template} (default): {@link QaTemplates}; all pairs in one transaction.</li>
 * <li>{@code method=llm}: the prompts of {@link LlmPrompts} sent to an OpenAI-compatible chat-completions
 * endpoint. The controls are planned as job items; each control's pairs commit together with its item, so a
 * resumed job continues with the controls not yet done. A control the endpoint keeps failing on is reported
 * with its label; running generate-qa again retries it (it still has no QA).</li>
 * </ul>
 * Params: {@code method}; the control selection ({@code labelPrefix}, {@code kind}, {@code controlSource},
 * {@code fromJob}, {@code limit}); {@code seed} (distractors, default 0); for llm {@code baseUrl} and
 * {@code model} (defaults from {@code latentqa.dataset.llm.*}; the key only comes from configuration) and
 * {@code pairsPerPrompt} (default 5, as in the reference).
 */
@ApplicationScoped
public class GenerateQaJob implements JobHandler {

    static final Set<String> PARAMS;

    static {
        Set<String> params = new HashSet<>(ControlSelection.PARAMS);
        params.addAll(Set.of("method", "seed", "baseUrl", "model", "pairsPerPrompt"));
        PARAMS = Set.copyOf(params);
    }

    private final DataSource dataSource;
    private final ControlRepository controls;
    private final QaPairRepository qaPairs;
    private final JobItemRepository items;
    private final ChatCompletionsClient llm;
    private final DatasetConfig config;
    private final ObjectMapper json;

    GenerateQaJob(DataSource dataSource, ControlRepository controls, QaPairRepository qaPairs, JobItemRepository items,
            ChatCompletionsClient llm, DatasetConfig config, ObjectMapper json) {
        this.dataSource = dataSource;
        this.controls = controls;
        this.qaPairs = qaPairs;
        this.items = items;
        this.llm = llm;
        this.config = config;
        this.json = json;
    }

    @Override
    public JobType type() {
        return JobType.GENERATE_QA;
    }

    record Plan(boolean useLlm, ControlSelection selection, long seed, URI baseUrl, String model, int pairsPerPrompt) {
    }

    @Override
    public void validate(JsonNode params) {
        plan(params);
    }

    private Plan plan(JsonNode raw) {
        JobParams params = JobParams.of(type(), raw, PARAMS);
        boolean useLlm = "llm".equals(params.choice("method", "template", Set.of("template", "llm")));
        ControlSelection selection = ControlSelection.from(params);
        long seed = params.longValue("seed", 0);
        int pairs = params.integer("pairsPerPrompt", 5, 1, 50);
        if (!useLlm) {
            for (String name : List.of("baseUrl", "model", "pairsPerPrompt")) {
                if (params.has(name)) {
                    throw new InvalidParamsException("params." + name + " only applies to method=llm");
                }
            }
            return new Plan(false, selection, seed, null, null, pairs);
        }
        Optional<URI> baseUrl = params.string("baseUrl").map(LlmUrls::parse).or(() -> config.llm().baseUrl());
        Optional<String> model = params.string("model").or(() -> config.llm().model().filter(name -> !name.isBlank()));
        if (baseUrl.isEmpty() || model.isEmpty()) {
            throw new InvalidParamsException("method=llm needs an OpenAI-compatible endpoint and a model: set"
                    + " latentqa.dataset.llm.base-url and latentqa.dataset.llm.model (LATENTQA_LLM_BASE_URL,"
                    + " LATENTQA_LLM_MODEL, and LATENTQA_LLM_API_KEY if it needs a key), or pass params.baseUrl and"
                    + " params.model; or use method=template");
        }
        return new Plan(true, selection, seed, baseUrl.get(), model.get(), pairs);
    }

    @Override
    public JobOutcome run(JobContext context) throws Exception {
        Plan plan = plan(context.params());
        return plan.useLlm() ? runLlm(context, plan) : runTemplates(context, plan);
    }

    private JobOutcome runTemplates(JobContext context, Plan plan) throws Exception {
        List<Control> selected = controls.select(plan.selection(), true);
        context.total(selected.size());
        context.done(0);
        Map<String, List<Control>> pools = new HashMap<>();
        Upserts pairCounts = new Upserts();
        Jdbc.inTransaction(dataSource, connection -> {
            for (Control control : selected) {
                context.checkpoint();
                List<Control> pool = pools.computeIfAbsent(control.kind(), controls::ofKind);
                for (TemplateQa pair : QaTemplates.forControl(control, pool, plan.seed())) {
                    pairCounts.count(qaPairs.insertIfAbsent(connection, new QaPair(
                            "template:" + control.label() + "#" + pair.template(), control.label(), pair.question(),
                            pair.answer(), "template", pair.template(), null, null, context.jobId())));
                }
                context.advance();
            }
            return null;
        });
        ObjectNode result = json.createObjectNode();
        result.put("method", "template");
        result.put("controls", selected.size());
        result.put("qaPairs", pairCounts.inserted());
        return JobOutcome.succeeded(result);
    }

    private JobOutcome runLlm(JobContext context, Plan plan) throws Exception {
        if (!items.planned(context.jobId())) {
            List<JobItem.Planned> planned = new ArrayList<>();
            for (Control control : controls.select(plan.selection(), true)) {
                planned.add(new JobItem.Planned(control.label(), json.createObjectNode().put("controlId", control.id())));
            }
            items.plan(context.jobId(), planned);
        }
        Map<JobItem.Status, Integer> counts = items.counts(context.jobId());
        context.total(counts.values().stream().mapToInt(Integer::intValue).sum());
        context.done(counts.get(JobItem.Status.DONE) + counts.get(JobItem.Status.FAILED));
        int written = 0;
        for (List<JobItem> batch = items.withStatus(context.jobId(), JobItem.Status.PENDING, 50); !batch.isEmpty();
                batch = items.withStatus(context.jobId(), JobItem.Status.PENDING, 50)) {
            for (JobItem item : batch) {
                context.checkpoint();
                written += askFor(context, plan, item);
                context.advance();
            }
        }
        counts = items.counts(context.jobId());
        int failed = counts.get(JobItem.Status.FAILED);
        ObjectNode result = json.createObjectNode();
        result.put("method", "llm");
        result.put("model", plan.model());
        result.put("controls", counts.values().stream().mapToInt(Integer::intValue).sum());
        result.put("failedControls", failed);
        result.put("qaPairs", written);
        return failed == 0 ? JobOutcome.succeeded(result)
                : JobOutcome.failed(result, failed + " control(s) got no QA pairs from " + plan.baseUrl()
                        + " (errors list them); run generate-qa again to retry them");
    }

    /** @return pairs written for one item's control */
    private int askFor(JobContext context, Plan plan, JobItem item) throws Exception {
        long controlId = item.payload().path("controlId").asLong();
        Optional<Control> found = controls.find(controlId);
        if (found.isEmpty()) {
            fail(context, item, "the control was deleted before QA pairs were made for it");
            return 0;
        }
        Control control = found.get();
        List<QaPair> pairs = new ArrayList<>();
        for (LlmPrompts.Prompt prompt : LlmPrompts.forControl(control, plan.pairsPerPrompt())) {
            List<LlmReplyParser.Pair> replies;
            try {
                replies = llm.ask(plan.baseUrl(), plan.model(), prompt.text());
            } catch (ChatCompletionsClient.LlmException e) {
                fail(context, item, "prompt " + prompt.name() + ": " + e.getMessage());
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobStoppedException(context.jobId());
            }
            for (int n = 0; n < replies.size(); n++) {
                pairs.add(new QaPair("llm:" + control.label() + "#" + prompt.name() + "#" + n, control.label(),
                        replies.get(n).question(), replies.get(n).answer(), "llm", prompt.name(), null, null,
                        context.jobId()));
            }
        }
        return Jdbc.inTransaction(dataSource, connection -> {
            int inserted = 0;
            for (QaPair pair : pairs) {
                if (qaPairs.insertIfAbsent(connection, pair) == Upserts.Outcome.INSERTED) {
                    inserted++;
                }
            }
            items.setStatus(connection, context.jobId(), item.key(), JobItem.Status.DONE, null);
            return inserted;
        });
    }

    private void fail(JobContext context, JobItem item, String message) {
        items.fail(context.jobId(), item.key(), message);
        context.error(JobError.forItem(item.key(), item.key(), message));
    }
}
