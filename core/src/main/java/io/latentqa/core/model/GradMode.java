package io.latentqa.core.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.util.concurrent.locks.ReentrantLock;

/**
 * PyTorch's autograd switch, which is per thread: every new thread starts with recording on, and DJL turns
 * it off only on the thread that loads the engine. Code that updates parameters in place (an optimizer step)
 * or must not build a graph runs inside {@code try (GradMode off = GradMode.off()) {...}}, whatever thread it
 * is on. A gradient collector turns recording on for its own scope and restores this setting when it closes.
 */
public final class GradMode implements AutoCloseable {

    /** Held by whoever collects gradients in this JVM: DJL allows one gradient collector at a time. */
    public static final ReentrantLock COLLECTOR = new ReentrantLock();

    private final boolean previous;

    private GradMode(boolean enabled) {
        Engine.getInstance(); // the native library must be loaded before the switch is touched
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** Recording off on this thread until {@link #close()}. */
    public static GradMode off() {
        return new GradMode(false);
    }

    /** Restores the thread's previous setting. */
    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
