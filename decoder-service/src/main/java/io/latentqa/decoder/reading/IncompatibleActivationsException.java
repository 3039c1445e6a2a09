package io.latentqa.decoder.reading;

/** Activations this decoder cannot read (another model, another width, a missing layer); the message says why. */
public class IncompatibleActivationsException extends RuntimeException {

    public IncompatibleActivationsException(String message) {
        super(message);
    }
}
