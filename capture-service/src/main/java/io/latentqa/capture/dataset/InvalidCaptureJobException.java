package io.latentqa.capture.dataset;

/** A capture request that does not follow the topic's contract; the message says what is wrong. */
public class InvalidCaptureJobException extends RuntimeException {

    public InvalidCaptureJobException(String message) {
        super(message);
    }

    public InvalidCaptureJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
