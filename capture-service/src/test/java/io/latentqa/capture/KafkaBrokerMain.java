package io.latentqa.capture;

import java.io.IOException;

/**
 * Runs {@code kafka.Kafka} in a child JVM that exits when its parent (the test JVM) goes away: the parent
 * holds the child's stdin, and end of input means the parent is gone, even after a SIGKILL.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the parent never writes; -1 means it is gone
                }
            } catch (IOException e) {
                // same: the pipe is broken
            }
            System.exit(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }
}
