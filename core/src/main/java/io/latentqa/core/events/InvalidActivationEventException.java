package io.latentqa.core.events;

/**
 * Bytes that are not a valid activation event (bad safetensors header, wrong shapes or dtypes, NaN
 * values, missing or malformed metadata). Consumers send such records to the dead-letter topic with
 * this message.
 */
public class InvalidActivationEventException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidActivationEventException(String message) {
        super(message);
    }

    public InvalidActivationEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
