package io.latentqa.decoder.activation;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.ClaimCheck;
import io.latentqa.core.events.InvalidActivationEventException;
import io.latentqa.core.events.LocalBlobStore;
import io.latentqa.decoder.DecoderConfig;
import io.latentqa.decoder.reading.IncompatibleActivationsException;
import io.latentqa.decoder.runtime.ModelHolder;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Checks each record of latentqa.activations against the activation event contract (core's codec) and logs
 * its metadata. Claim checks are resolved from the blob store and their digest verified. Events of another
 * model (unknown id and digest, or another hidden size) are rejected too: this decoder cannot read them.
 */
@ApplicationScoped
public class ActivationLog {

    private final ActivationEventRepository repository;
    private final ClaimCheck claimCheck;
    private final ModelHolder model;

    ActivationLog(ActivationEventRepository repository, DecoderConfig config, ModelHolder model) throws IOException {
        this.repository = repository;
        this.model = model;
        this.claimCheck = new ClaimCheck(new LocalBlobStore(config.blobDir()));
    }

    /**
     * @param key the record key, which must be the event's request id when present
     * @param value the record value: an activation event or a claim check
     * @param partition the record's partition
     * @param offset the record's offset
     * @return the decoded event
     * @throws InvalidActivationRecordException if the value is not a valid event, its blob cannot be read,
     *         the key names another request, or the event is of another model or hidden size
     */
    public ActivationEvent record(String key, byte[] value, int partition, long offset) {
        ActivationEvent event;
        String blobUri;
        try {
            Map<String, String> metadata = ActivationEventCodec.readMetadata(value);
            blobUri = metadata.get(ClaimCheck.BLOB_URI);
            event = ActivationEventCodec.decode(claimCheck.resolve(value));
        } catch (InvalidActivationEventException e) {
            throw new InvalidActivationRecordException("activation event " + key + " rejected: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidActivationRecordException("activation event " + key + " is a claim check whose blob"
                    + " cannot be read: " + e.getMessage(), e);
        }
        if (key != null && !key.equals(event.requestId())) {
            throw new InvalidActivationRecordException("record key '" + key + "' differs from the event's request_id '"
                    + event.requestId() + "'; the key must be the request id");
        }
        try {
            model.reader().checkModel(event);
        } catch (IncompatibleActivationsException e) {
            throw new InvalidActivationRecordException("activation event " + key + " rejected: " + e.getMessage(), e);
        }
        repository.insert(event, blobUri, value.length, partition, offset);
        return event;
    }

    public Optional<ActivationEventRecord> latest(String requestId) {
        return repository.latest(requestId);
    }

    public List<ActivationEventRecord> list(String source, int limit) {
        return repository.list(source, limit);
    }
}
