package io.latentqa.core.train;

/** A step whose loss or gradient is not finite; nothing was updated. */
public final class NonFiniteStepException extends IllegalStateException {

    public NonFiniteStepException(String message) {
        super(message);
    }
}
