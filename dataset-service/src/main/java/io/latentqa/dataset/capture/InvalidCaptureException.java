package io.latentqa.dataset.capture;

/** A latentqa.activations record that this service cannot store; the message says why. */
public class InvalidCaptureException extends RuntimeException {

    public InvalidCaptureException(String message, Throwable cause) {
        super(message, cause);
    }

    public InvalidCaptureException(String message) {
        super(message);
    }
}
