package io.latentqa.trainer.cli;

import java.io.IOException;

/**
 * Flag values for the trainer's CLI commands. A missing or malformed value ends the command with exit status 2 and
 * one line on stderr saying what to fix, never a stack trace.
 */
final class Flags {

    /** A usage error: its message is the line the user sees. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** A command's body, run by {@link #exitOnUsageError}. */
    interface Command {
        void run() throws IOException;
    }

    private final String command;

    /** @param command the name usage errors start with ("eval") */
    Flags(String command) {
        this.command = command;
    }

    /** Runs a command's main; a usage error prints its one line and exits with status 2. */
    static void exitOnUsageError(Command body) throws IOException {
        try {
            body.run();
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** The value that follows {@code flag}, which must be there. */
    String value(String flag, String value) {
        if (value == null) {
            throw fail(flag + " needs a value");
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

    /** Throws the usage error; declared to return it so that callers can write {@code throw fail(..)}. */
    UsageException fail(String message) {
        throw new UsageException(command + ": " + message);
    }
}
