package io.latentqa.capture.rest;

/** Thrown by a resource to answer with a problem detail. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(String slug, String title, int status, String detail) {
        super(detail);
        this.problem = Problem.of(slug, title, status, detail);
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException("invalid-request", "Invalid request", 400, detail);
    }

    public static ProblemException notFound(String slug, String title, String detail) {
        return new ProblemException(slug, title, 404, detail);
    }
}
