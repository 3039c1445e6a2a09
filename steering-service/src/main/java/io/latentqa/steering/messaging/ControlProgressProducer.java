package io.latentqa.steering.messaging;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Control job progress for anyone following a job. Out: channel {@code control-progress-out} (topic
 * latentqa.control-progress), key the job id, value {@code {"jobId","status","step","totalSteps","loss"}}
 * (loss null until the first step).
 */
@ApplicationScoped
public class ControlProgressProducer {

    private final Emitter<Record<String, String>> emitter;
    private final ObjectMapper json;

    ControlProgressProducer(@Channel("control-progress-out") Emitter<Record<String, String>> emitter, ObjectMapper json) {
        this.emitter = emitter;
        this.json = json;
    }

    public void progress(String jobId, String status, int step, int totalSteps, Double loss) {
        var event = json.createObjectNode()
                .put("jobId", jobId)
                .put("status", status)
                .put("step", step)
                .put("totalSteps", totalSteps)
                .put("loss", loss);
        emitter.send(Record.of(jobId, event.toString()));
    }
}
