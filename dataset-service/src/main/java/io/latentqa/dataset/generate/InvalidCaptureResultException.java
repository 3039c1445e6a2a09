package io.latentqa.dataset.generate;

/** A latentqa.capture-results record that cannot be read; the message says why. */
public class InvalidCaptureResultException extends RuntimeException {

    public InvalidCaptureResultException(String message) {
        super(message);
    }
}
