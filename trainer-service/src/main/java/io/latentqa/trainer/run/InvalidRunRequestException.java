package io.latentqa.trainer.run;

/** A run request that cannot be queued; the message says what was expected and what to fix. */
public class InvalidRunRequestException extends RuntimeException {

    public InvalidRunRequestException(String message) {
        super(message);
    }

    public InvalidRunRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
