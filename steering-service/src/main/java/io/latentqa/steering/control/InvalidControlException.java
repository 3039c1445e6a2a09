package io.latentqa.steering.control;

/** A control request that cannot run as given; the message says which field and what to fix. */
public class InvalidControlException extends RuntimeException {

    public InvalidControlException(String message) {
        super(message);
    }
}
