package io.latentqa.capture.rest;

/**
 * An RFC 9457 problem detail, sent as {@code application/problem+json}.
 *
 * @param type a URI naming the kind of problem
 * @param title a short summary of that kind
 * @param status the HTTP status code
 * @param detail what went wrong this time and what to fix
 */
public record Problem(String type, String title, int status, String detail) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** @return a problem whose type is {@code urn:latentqa:problem:<slug>} */
    public static Problem of(String slug, String title, int status, String detail) {
        return new Problem("urn:latentqa:problem:" + slug, title, status, detail);
    }
}
