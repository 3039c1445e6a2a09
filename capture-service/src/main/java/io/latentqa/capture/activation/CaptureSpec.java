package io.latentqa.capture.activation;

import java.util.Arrays;

import io.latentqa.core.events.Positions;
import io.latentqa.core.io.SafetensorsDType;

/**
 * What to capture for one request.
 *
 * @param enabled   false: no event at all
 * @param layers    blocks whose output residual is captured (sorted, distinct)
 * @param positions which positions of prompt + completion the event keeps
 * @param dtype     BF16, F16 or F32
 * @param redact    true: the event carries no dialog text
 */
public record CaptureSpec(boolean enabled, int[] layers, Positions positions, SafetensorsDType dtype,
        boolean redact) {

    public CaptureSpec {
        layers = Arrays.stream(layers).distinct().sorted().toArray();
        if (enabled && layers.length == 0) {
            throw new IllegalArgumentException("a capture needs at least one layer");
        }
    }

    /** No capture. */
    public static CaptureSpec off() {
        return new CaptureSpec(false, new int[0], Positions.ALL, SafetensorsDType.BF16, true);
    }

    /** The layers to read while generating: none when capture is off. */
    public int[] readLayers() {
        return enabled ? layers.clone() : new int[0];
    }
}
