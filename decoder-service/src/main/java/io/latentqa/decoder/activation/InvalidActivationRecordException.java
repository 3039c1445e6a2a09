package io.latentqa.decoder.activation;

/** A latentqa.activations record that this service cannot log; the message says why. */
public class InvalidActivationRecordException extends RuntimeException {

    public InvalidActivationRecordException(String message, Throwable cause) {
        super(message, cause);
    }

    public InvalidActivationRecordException(String message) {
        super(message);
    }
}
