package io.latentqa.capture.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.capture.activation.CapturePolicy;
import io.latentqa.capture.activation.CaptureSpec;
import io.latentqa.capture.activation.CapturedEvent;
import io.latentqa.capture.chat.ChatService;
import io.latentqa.capture.generate.GenerationJob;
import io.latentqa.capture.generate.GenerationResult;
import io.latentqa.capture.rest.ProblemException;
import io.latentqa.capture.spool.EventPublisher;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.tokenizer.ChatMessage;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Runs a dataset capture job: the control (a system prompt) before the dialog, one answer generated
 * with the job's settings, the activation event published with {@code source = dataset}, then the reply
 * on the job's reply topic. Both go through the event spool, event first, so a reply never names an event
 * that could be lost in an outage. A job the model cannot run (too long, unknown layer) gets a reply with
 * the error.
 */
@ApplicationScoped
public class CaptureJobService {

    private static final Logger LOG = Logger.getLogger(CaptureJobService.class);

    private final ChatService chat;
    private final CapturePolicy policy;
    private final EventPublisher publisher;
    private final ObjectMapper json;

    CaptureJobService(ChatService chat, CapturePolicy policy, EventPublisher publisher, ObjectMapper json) {
        this.chat = chat;
        this.policy = policy;
        this.publisher = publisher;
        this.json = json;
    }

    /** Runs the job and publishes its event and reply; blocks until done. */
    public CaptureJobReply run(CaptureJob job) throws InterruptedException {
        List<ChatMessage> messages = new ArrayList<>();
        if (job.control() != null) {
            messages.add(ChatMessage.system(job.control()));
        }
        messages.addAll(job.messages());
        CaptureJob.Settings asked = job.settings();
        CaptureJobReply reply;
        try {
            CaptureSpec spec = policy.forJob(job.layers());
            ChatService.Prepared prepared = chat.prepare(job.requestId(), messages, asked.maxTokens(),
                    asked.temperature() == null ? 1f : asked.temperature(),
                    asked.topP() == null ? 1f : asked.topP(), asked.seed(), List.of(), null, spec);
            CaptureJob.Settings used = new CaptureJob.Settings(prepared.sampling().maxTokens(),
                    prepared.sampling().temperature(), prepared.sampling().topP(), prepared.sampling().seed());
            GenerationJob generation = chat.submit(prepared, null);
            GenerationResult result = generation.result().get();
            CapturedEvent event = chat.capture(prepared, result, ActivationEvent.Source.DATASET);
            boolean published = event != null && "spooled".equals(event.status());
            reply = new CaptureJobReply(job.requestId(), job.jobId(), result.text(), chat.holder().modelId(),
                    chat.holder().digest(), used, published ? event.id() : null,
                    published ? null : "the activation event was not published: "
                            + (event == null ? "capture is off" : event.error()),
                    result.finishReason().wireName());
        } catch (ProblemException e) {
            reply = error(job, e.problem().detail());
        } catch (ExecutionException e) {
            LOG.errorf(e.getCause(), "capture job %s (%s) failed", job.requestId(), job.jobId());
            reply = error(job, "generation failed: " + e.getCause());
        }
        try {
            publisher.publish(job.replyTopic(), job.jobId(), json.writeValueAsBytes(reply));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return reply;
    }

    private CaptureJobReply error(CaptureJob job, String error) {
        return new CaptureJobReply(job.requestId(), job.jobId(), null, chat.holder().modelId(), chat.holder().digest(),
                job.settings(), null, error, null);
    }
}
