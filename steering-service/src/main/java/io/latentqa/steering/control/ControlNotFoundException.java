package io.latentqa.steering.control;

/** No control job of that id. */
public class ControlNotFoundException extends RuntimeException {

    public ControlNotFoundException(String id) {
        super("no control job '" + id + "'; list them with GET /v1/controls");
    }
}
