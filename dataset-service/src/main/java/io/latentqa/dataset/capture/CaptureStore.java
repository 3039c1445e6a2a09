package io.latentqa.dataset.capture;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ActivationEventCodec;
import io.latentqa.core.events.ClaimCheck;
import io.latentqa.core.events.InvalidActivationEventException;
import io.latentqa.core.events.LocalBlobStore;
import io.latentqa.dataset.DatasetConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps the dialogs captured for datasets. Of the records on latentqa.activations it reads only the
 * metadata of those from other sources (traffic, eval) and skips them; events with source=dataset are
 * decoded in full by core's codec (claim checks resolved) and stored with their dialog.
 */
@ApplicationScoped
public class CaptureStore {

    private final CaptureRepository repository;
    private final ClaimCheck claimCheck;
    private final ObjectMapper json;

    CaptureStore(CaptureRepository repository, DatasetConfig config, ObjectMapper json) throws IOException {
        this.repository = repository;
        this.claimCheck = new ClaimCheck(new LocalBlobStore(config.blobDir()));
        this.json = json;
    }

    /**
     * @param key the record key, which must be the event's request id when present
     * @param value the record value: an activation event or a claim check
     * @return true if the record was a dataset capture and is stored, false if skipped
     * @throws InvalidCaptureException if the value is not a valid event, its blob cannot be read, its dialog
     *         is not JSON, or the key names another request
     */
    public boolean store(String key, byte[] value) {
        ActivationEvent event;
        String blobUri;
        try {
            Map<String, String> metadata = ActivationEventCodec.readMetadata(value);
            if (!ActivationEvent.Source.DATASET.wireName().equals(metadata.get(ActivationEventCodec.SOURCE))) {
                return false;
            }
            blobUri = metadata.get(ClaimCheck.BLOB_URI);
            event = ActivationEventCodec.decode(claimCheck.resolve(value));
        } catch (InvalidActivationEventException e) {
            throw new InvalidCaptureException("activation event " + key + " rejected: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidCaptureException("activation event " + key + " is a claim check whose blob cannot be"
                    + " read: " + e.getMessage(), e);
        }
        if (key != null && !key.equals(event.requestId())) {
            throw new InvalidCaptureException("record key '" + key + "' differs from the event's request_id '"
                    + event.requestId() + "'; the key must be the request id");
        }
        repository.insert(event, dialogJson(event), blobUri);
        return true;
    }

    public Optional<Capture> find(String requestId) {
        return repository.find(requestId);
    }

    public List<Capture> list(int limit) {
        return repository.list(limit);
    }

    private String dialogJson(ActivationEvent event) {
        if (event.dialog() == null) {
            return null;
        }
        try {
            JsonNode dialog = json.readTree(event.dialog());
            return dialog.toString();
        } catch (JsonProcessingException e) {
            throw new InvalidCaptureException("activation event " + event.requestId() + " has a dialog that is not"
                    + " valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }
}
