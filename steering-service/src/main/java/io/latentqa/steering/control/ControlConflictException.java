package io.latentqa.steering.control;

/** The request conflicts with a job's state (a taken id, cancelling a finished job). */
public class ControlConflictException extends RuntimeException {

    public ControlConflictException(String message) {
        super(message);
    }
}
