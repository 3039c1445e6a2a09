package io.latentqa.trainer.cli;

/**
 * Flag values for the trainer's CLI commands. A missing or malformed value ends the command with exit status 2 and
 * one line on stderr saying what to fix, never a stack trace.
 */
final class Flags {

    private final String command;

    /** @param command the name usage errors start with ("eval") */
    Flags(String command) {
        this.command = command;
    }

    /** The value that follows {@code flag}, which must be there. */
    String value(String flag, String value) {
        if (value == null) {
            fail(flag + " needs a value");
        }
        return value;
    }

    int integer(String flag, String value) {
        long number = longInteger(flag, value);
        if (number != (int) number) {
            throw fail(flag + " needs a whole number up to " + Integer.MAX_VALUE + ", got '" + value + "'");
        }
        return (int) number;
    }

    long longInteger(String flag, String value) {
        try {
            return Long.parseLong(value(flag, value));
        } catch (NumberFormatException e) {
            throw fail(flag + " needs a whole number, got '" + value + "'");
        }
    }

    double decimal(String flag, String value) {
        try {
            return Double.parseDouble(value(flag, value));
        } catch (NumberFormatException e) {
            throw fail(flag + " needs a number, got '" + value + "'");
        }
    }

    /** Prints the usage error and exits with status 2; declared to return so that callers can {@code throw} it. */
    IllegalStateException fail(String message) {
        System.err.println(command + ": " + message);
        System.exit(2);
        return new IllegalStateException(message);
    }
}
