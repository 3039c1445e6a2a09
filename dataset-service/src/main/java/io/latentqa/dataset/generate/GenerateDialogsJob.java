package io.latentqa.dataset.generate;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.dataset.DatasetConfig;
import io.latentqa.dataset.job.InvalidParamsException;
import io.latentqa.dataset.job.JobContext;
import io.latentqa.dataset.job.JobError;
import io.latentqa.dataset.job.JobHandler;
import io.latentqa.dataset.job.JobItem;
import io.latentqa.dataset.job.JobItemRepository;
import io.latentqa.dataset.job.JobOutcome;
import io.latentqa.dataset.job.JobParams;
import io.latentqa.dataset.job.JobType;
import io.latentqa.dataset.record.Control;
import io.latentqa.dataset.record.ControlRepository;
import io.latentqa.dataset.record.ControlSelection;
import io.latentqa.dataset.record.DialogRepository;
import io.latentqa.dataset.record.Message;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * generate-dialogs: every selected control × its stimuli becomes one item; each item is a {@link CaptureRequest}
 * to capture-service on latentqa.capture-requests, and {@link CaptureResultHandler} stores the answer from
 * latentqa.capture-results as a dialog. The plan of items is written once; a request without an answer
 * within {@code replyTimeoutSeconds} (or with an error answer) is sent again under the same request id, up to
 * {@code maxAttempts} sends. A job resumed after a restart continues from the persisted items: done items are
 * not asked again, and a second answer to a request stores nothing (the dialog's key is the request id).
 * <p>
 * Stimuli: {@code params.stimuli} for every control if given; else a chat control's imported stimulus user
 * turns (the reference's pairing), or {@code latentqa.dataset.dialogs.default-stimuli} when it has none; a
 * grammar control (text model) is continued from its opening alone.
 * <p>
 * Params: the control selection ({@code labelPrefix}, {@code kind}, {@code controlSource}, {@code fromJob},
 * {@code limit}), {@code stimuli}, {@code settings} {maxTokens, temperature, topP, seed}, {@code layers},
 * {@code replyTimeoutSeconds}, {@code maxAttempts}, {@code maxInFlight}.
 */
@ApplicationScoped
public class GenerateDialogsJob implements JobHandler {

    static final Set<String> PARAMS;
    static final Set<String> SETTINGS = Set.of("maxTokens", "temperature", "topP", "seed");
    static final long POLL_MILLIS = 100;

    static {
        Set<String> params = new HashSet<>(ControlSelection.PARAMS);
        params.addAll(Set.of("stimuli", "settings", "layers", "replyTimeoutSeconds", "maxAttempts", "maxInFlight"));
        PARAMS = Set.copyOf(params);
    }

    private final ControlRepository controls;
    private final DialogRepository dialogs;
    private final JobItemRepository items;
    private final CaptureRequestProducer producer;
    private final DatasetConfig config;
    private final ObjectMapper json;

    GenerateDialogsJob(ControlRepository controls, DialogRepository dialogs, JobItemRepository items,
            CaptureRequestProducer producer, DatasetConfig config, ObjectMapper json) {
        this.controls = controls;
        this.dialogs = dialogs;
        this.items = items;
        this.producer = producer;
        this.config = config;
        this.json = json;
    }

    @Override
    public JobType type() {
        return JobType.GENERATE_DIALOGS;
    }

    record Plan(ControlSelection selection, List<String> stimuli, CaptureRequest.Settings settings,
            List<Integer> layers, Duration replyTimeout, int maxAttempts, int maxInFlight) {
    }

    @Override
    public void validate(JsonNode params) {
        Plan plan = plan(params, config);
        if (controls.count(plan.selection()) == 0) {
            throw new InvalidParamsException("no " + plan.selection().describe() + "; make some with import-latentqa"
                    + " or generate-controls first, or change the selection");
        }
    }

    static Plan plan(JsonNode raw, DatasetConfig config) {
        JobParams params = JobParams.of(JobType.GENERATE_DIALOGS, raw, PARAMS);
        DatasetConfig.Dialogs defaults = config.dialogs();
        JobParams settings = params.object("settings", SETTINGS);
        return new Plan(ControlSelection.from(params), params.strings("stimuli").orElse(null),
                new CaptureRequest.Settings(settings.integer("maxTokens", defaults.maxTokens(), 1, 100_000),
                        settings.number("temperature", defaults.temperature(), 0, 10),
                        settings.number("topP", defaults.topP(), 0, 1), settings.longValue("seed", defaults.seed())),
                params.integers("layers", 0, 1000).orElse(null),
                Duration.ofSeconds(params.integer("replyTimeoutSeconds", (int) defaults.replyTimeout().toSeconds(), 1,
                        86_400)),
                params.integer("maxAttempts", defaults.maxAttempts(), 1, 100),
                params.integer("maxInFlight", defaults.maxInFlight(), 1, 10_000));
    }

    /** The job's sends per request (its params, else the configured default); read by the answer handler. */
    static int maxAttempts(JsonNode params, DatasetConfig config) {
        JsonNode value = params.get("maxAttempts");
        return value != null && value.canConvertToInt() ? value.asInt() : config.dialogs().maxAttempts();
    }

    @Override
    public JobOutcome run(JobContext context) throws Exception {
        Plan plan = plan(context.params(), config);
        String jobId = context.jobId();
        if (!items.planned(jobId)) {
            items.plan(jobId, items(plan));
        }
        while (true) {
            context.checkpoint();
            Map<JobItem.Status, Integer> counts = items.counts(jobId);
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            context.total(total);
            context.done(counts.get(JobItem.Status.DONE) + counts.get(JobItem.Status.FAILED));
            if (counts.get(JobItem.Status.PENDING) + counts.get(JobItem.Status.SENT) == 0) {
                break;
            }
            int inFlight = counts.get(JobItem.Status.SENT) - expireOverdue(context, plan);
            int room = plan.maxInFlight() - inFlight;
            if (room > 0 && !send(context, plan, items.withStatus(jobId, JobItem.Status.PENDING, room))) {
                context.pause(1000);
            }
            context.pause(POLL_MILLIS);
        }
        Map<JobItem.Status, Integer> counts = items.counts(jobId);
        int failed = counts.get(JobItem.Status.FAILED);
        ObjectNode result = json.createObjectNode();
        result.put("items", counts.values().stream().mapToInt(Integer::intValue).sum());
        result.put("dialogs", counts.get(JobItem.Status.DONE));
        result.put("failed", failed);
        return failed == 0 ? JobOutcome.succeeded(result)
                : JobOutcome.failed(result, failed + " of " + result.get("items").asInt() + " dialogs got no completion"
                        + " (errors list them); the others are stored");
    }

    /** Controls × stimuli, in label order. */
    private List<JobItem.Planned> items(Plan plan) {
        List<JobItem.Planned> planned = new ArrayList<>();
        for (Control control : controls.select(plan.selection(), false)) {
            boolean textModel = "grammar".equals(control.source());
            List<String> stimuli = plan.stimuli();
            if (stimuli == null) {
                stimuli = textModel ? List.of("") : dialogs.importedStimuli(control.label());
                if (stimuli.isEmpty()) {
                    stimuli = config.dialogs().defaultStimuli();
                }
            }
            for (String stimulus : stimuli) {
                ObjectNode payload = json.createObjectNode();
                payload.put("controlId", control.id());
                payload.put("label", control.label());
                payload.put("kind", control.kind());
                payload.put("control", control.text());
                payload.put("stimulus", stimulus);
                payload.put("textModel", textModel);
                payload.set("settings", json.valueToTree(plan.settings()));
                planned.add(new JobItem.Planned(Integer.toString(planned.size()), payload));
            }
        }
        return planned;
    }

    /** Overdue requests go back to PENDING, or FAILED after maxAttempts. @return how many left SENT */
    private int expireOverdue(JobContext context, Plan plan) {
        int expired = 0;
        for (JobItem item : items.overdue(context.jobId(), OffsetDateTime.now().minus(plan.replyTimeout()))) {
            String label = item.payload().path("label").asText();
            if (item.attempts() >= plan.maxAttempts()) {
                String error = "no answer from capture-service on " + config.dialogs().replyTopic() + " after "
                        + item.attempts() + " tries of " + plan.replyTimeout().toSeconds()
                        + " s each; is capture-service running?";
                if (items.fail(context.jobId(), item.key(), error)) {
                    context.error(JobError.forItem(item.key(), label, error));
                    expired++;
                }
            } else if (items.retry(context.jobId(), item.key(), "no answer within " + plan.replyTimeout().toSeconds()
                    + " s")) {
                expired++;
            }
        }
        return expired;
    }

    /** @return false when the broker refused a request (it stays PENDING and is sent again later) */
    private boolean send(JobContext context, Plan plan, List<JobItem> pending) throws JsonProcessingException {
        for (JobItem item : pending) {
            context.checkpoint();
            if (!items.markSent(context.jobId(), item.key())) {
                continue;
            }
            String request = json.writeValueAsString(request(context.jobId(), item, plan));
            try {
                producer.send(context.jobId(), request);
            } catch (RuntimeException e) {
                items.unsend(context.jobId(), item.key(), "could not send: " + e.getMessage());
                context.message("waiting for Kafka: could not send to latentqa.capture-requests (" + e.getMessage() + ")");
                return false;
            }
        }
        return true;
    }

    private CaptureRequest request(String jobId, JobItem item, Plan plan) {
        JsonNode payload = item.payload();
        String control = payload.path("control").asText();
        String stimulus = payload.path("stimulus").asText("");
        boolean textModel = payload.path("textModel").asBoolean();
        CaptureRequest.Settings settings = json.convertValue(payload.path("settings"), CaptureRequest.Settings.class);
        // a text model continues the opening (and the story prompt, if any) as plain text: no system prompt
        List<Message> messages = textModel
                ? List.of(Message.user(stimulus.isEmpty() ? control : control + " " + stimulus))
                : List.of(Message.user(stimulus));
        return new CaptureRequest(jobId + ":" + item.key(), jobId, messages, textModel ? null : control, settings,
                plan.layers(), config.dialogs().replyTopic());
    }
}
