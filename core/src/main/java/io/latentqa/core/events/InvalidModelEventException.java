package io.latentqa.core.events;

/** A model event that does not follow the topic's contract; the message says what is wrong. */
public class InvalidModelEventException extends RuntimeException {

    public InvalidModelEventException(String message) {
        super(message);
    }

    public InvalidModelEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
