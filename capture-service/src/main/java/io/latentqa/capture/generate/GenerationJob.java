package io.latentqa.capture.generate;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request waiting for, or inside, a batch of the {@link BatchWorker}. Its result completes as soon as
 * its own row is done, even while other rows of the batch go on.
 */
public final class GenerationJob {

    private final String requestId;
    private final int[] prompt;
    private final Sampling sampling;
    private final List<String> stop;
    private final String adapter;
    private final int[] captureLayers;
    private final GenerationListener listener;
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private volatile boolean cancelled;

    /**
     * @param requestId     for logs
     * @param prompt        token ids of the rendered prompt
     * @param sampling      budget and sampling
     * @param stop          stop strings (up to 4 in OpenAI's API); the completion ends before the first
     * @param adapter       a steering adapter registered on the model, or null
     * @param captureLayers blocks whose residual to capture (empty for none)
     * @param listener      receives text as it comes, or null
     */
    public GenerationJob(String requestId, int[] prompt, Sampling sampling, List<String> stop, String adapter,
            int[] captureLayers, GenerationListener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt of request " + requestId + " has no tokens");
        }
        this.requestId = requestId;
        this.prompt = prompt.clone();
        this.sampling = sampling;
        this.stop = List.copyOf(stop);
        this.adapter = adapter;
        this.captureLayers = Arrays.stream(captureLayers).distinct().sorted().toArray();
        this.listener = listener;
    }

    public String requestId() {
        return requestId;
    }

    public int[] prompt() {
        return prompt.clone();
    }

    int promptLength() {
        return prompt.length;
    }

    int promptToken(int i) {
        return prompt[i];
    }

    public Sampling sampling() {
        return sampling;
    }

    public List<String> stop() {
        return stop;
    }

    public String adapter() {
        return adapter;
    }

    public int[] captureLayers() {
        return captureLayers.clone();
    }

    boolean captures() {
        return captureLayers.length > 0;
    }

    boolean capturesLayer(int layer) {
        return Arrays.binarySearch(captureLayers, layer) >= 0;
    }

    GenerationListener listener() {
        return listener;
    }

    /** Completes when the row is done; fails with the model's error, or with IllegalStateException when refused. */
    public CompletableFuture<GenerationResult> result() {
        return result;
    }

    /** Stops generating for this request at the next step (the client went away). */
    public void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return cancelled;
    }
}
