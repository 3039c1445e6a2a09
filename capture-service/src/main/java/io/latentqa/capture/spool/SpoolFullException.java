package io.latentqa.capture.spool;

/** The spool is at its record or byte limit: the record was not stored. */
public class SpoolFullException extends Exception {

    public SpoolFullException(String message) {
        super(message);
    }
}
