package io.latentqa.steering.rest;

/** Query parameters that are numbers, read strictly: anything else is a 400 naming the parameter. */
final class Limits {

    private Limits() {
    }

    static int parse(String name, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.badRequest(name + " must be an integer in [" + min + ", " + max + "]");
    }
}
