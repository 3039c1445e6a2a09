package io.latentqa.dataset.job;

/** Job parameters that a job cannot run with; the message says what to fix. Answered with a 400. */
public class InvalidParamsException extends RuntimeException {

    public InvalidParamsException(String message) {
        super(message);
    }
}
