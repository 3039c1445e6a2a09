package io.latentqa.capture.generate;

/** Receives a request's text as it is generated (called on the model's worker thread: return quickly). */
@FunctionalInterface
public interface GenerationListener {

    /** New completion text, never empty; stop strings and incomplete UTF-8 are held back. */
    void onText(String delta);
}
