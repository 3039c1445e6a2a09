package io.latentqa.dataset.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.dataset.DatasetConfig;
import io.latentqa.dataset.job.Jdbc;
import io.latentqa.dataset.job.Job;
import io.latentqa.dataset.job.JobError;
import io.latentqa.dataset.job.JobItem;
import io.latentqa.dataset.job.JobItemRepository;
import io.latentqa.dataset.job.JobRepository;
import io.latentqa.dataset.job.JobType;
import io.latentqa.dataset.record.Dialog;
import io.latentqa.dataset.record.DialogRepository;
import io.latentqa.dataset.record.Message;
import io.latentqa.dataset.record.RecordKind;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns an answer from capture-service into a stored dialog. The dialog and its item's DONE status commit
 * together, and the dialog's natural key is the request id, so a redelivered or duplicated answer (a request
 * sent twice by a retry or a resume) stores nothing more. An error answer sends the request again, until the
 * job's maxAttempts; answers for finished jobs, other job types or unknown items are skipped.
 */
@ApplicationScoped
public class CaptureResultHandler {

    private static final Logger LOG = Logger.getLogger(CaptureResultHandler.class);

    private final DataSource dataSource;
    private final JobRepository jobs;
    private final JobItemRepository items;
    private final DialogRepository dialogs;
    private final ObjectMapper json;
    private final DatasetConfig config;

    CaptureResultHandler(DataSource dataSource, JobRepository jobs, JobItemRepository items, DialogRepository dialogs,
            ObjectMapper json, DatasetConfig config) {
        this.config = config;
        this.dataSource = dataSource;
        this.jobs = jobs;
        this.items = items;
        this.dialogs = dialogs;
        this.json = json;
    }

    /**
     * @param value the record value
     * @throws InvalidCaptureResultException if it is not a capture result
     */
    public void handle(String value) {
        CaptureResult result;
        try {
            result = json.readValue(value == null ? "null" : value, CaptureResult.class);
        } catch (JsonProcessingException e) {
            throw new InvalidCaptureResultException("capture result rejected: not valid JSON (" + e.getOriginalMessage()
                    + ")");
        }
        if (result == null || result.requestId() == null || result.requestId().isBlank()) {
            throw new InvalidCaptureResultException("capture result rejected: it has no requestId (expected"
                    + " \"<jobId>:<item>\", copied from the request)");
        }
        int colon = result.requestId().lastIndexOf(':');
        if (colon < 1 || colon == result.requestId().length() - 1) {
            throw new InvalidCaptureResultException("capture result rejected: requestId '" + result.requestId()
                    + "' is not \"<jobId>:<item>\"");
        }
        String jobId = result.requestId().substring(0, colon);
        String key = result.requestId().substring(colon + 1);
        Optional<Job> job = jobs.find(jobId);
        if (job.isEmpty() || job.get().type() != JobType.GENERATE_DIALOGS) {
            LOG.debugf("capture result %s is not for a generate-dialogs job of this service: skipped", result.requestId());
            return;
        }
        if (job.get().status().finished()) {
            LOG.debugf("capture result %s arrived after job %s finished: skipped", result.requestId(), jobId);
            return;
        }
        int maxAttempts = GenerateDialogsJob.maxAttempts(job.get().params(), config);
        Jdbc.inTransactionUnchecked(dataSource, connection -> {
            Optional<JobItem> found = items.lock(connection, jobId, key);
            if (found.isEmpty() || found.get().status() == JobItem.Status.DONE
                    || found.get().status() == JobItem.Status.FAILED) {
                return null;
            }
            JobItem item = found.get();
            String label = item.payload().path("label").asText();
            if (result.error() != null || result.completion() == null || result.completion().isEmpty()) {
                String error = result.error() != null ? "capture-service: " + result.error()
                        : "capture-service answered without a completion";
                if (item.attempts() >= maxAttempts) {
                    items.setStatus(connection, jobId, key, JobItem.Status.FAILED, error);
                    jobs.addErrors(connection, jobId, List.of(JobError.forItem(key, label, error + " (after "
                            + item.attempts() + " tries)")));
                } else {
                    items.setStatus(connection, jobId, key, JobItem.Status.PENDING, error);
                }
                return null;
            }
            dialogs.insertIfAbsent(connection, dialog(jobId, item, result));
            items.setStatus(connection, jobId, key, JobItem.Status.DONE, null);
            return null;
        });
    }

    private Dialog dialog(String jobId, JobItem item, CaptureResult result) {
        JsonNode payload = item.payload();
        String control = payload.path("control").asText();
        String stimulus = payload.path("stimulus").asText("");
        boolean textModel = payload.path("textModel").asBoolean();
        List<Message> messages = new ArrayList<>();
        if (textModel) {
            messages.add(Message.user(control));
            if (!stimulus.isEmpty()) {
                messages.add(Message.user(stimulus));
            }
        } else {
            messages.add(Message.system(control));
            messages.add(Message.user(stimulus));
        }
        messages.add(Message.assistant(result.completion()));
        JsonNode settings = result.settings() != null && !result.settings().isNull() ? result.settings()
                : payload.path("settings");
        return Dialog.toWrite("capture:" + jobId + ":" + item.key(), payload.path("label").asText(),
                payload.path("kind").asText(), textModel ? RecordKind.TEXT_COMPLETION : RecordKind.SYSTEM_COMPLETION,
                control, stimulus.isEmpty() ? null : stimulus, json.valueToTree(messages), "capture", null, null, jobId)
                .withCapture(result.modelId(), result.modelDigest(), settings, result.activationEventId());
    }
}
