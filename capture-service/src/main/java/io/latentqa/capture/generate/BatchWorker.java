package io.latentqa.capture.generate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.latentqa.capture.CaptureConfig;
import io.latentqa.capture.runtime.ModelHolder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The model's only thread. Requests queue here; the worker takes the oldest one, waits a short window
 * for more (up to the batch size, same steering adapter only) and runs them as one batch, so that
 * concurrent requests share every forward pass. Requests that arrive during a batch form the next one.
 * Work that must not overlap a batch (swapping a steering adapter) runs between batches.
 */
@ApplicationScoped
public class BatchWorker {

    private static final Logger LOG = Logger.getLogger(BatchWorker.class);

    private final ModelHolder holder;
    private final int maxBatch;
    private final int maxBatchTokens;
    private final long windowNanos;
    private final long regroupNanos;
    private int returning; // rows of the batch that just ended: their clients may send their next request
    private final LinkedBlockingQueue<Object> incoming = new LinkedBlockingQueue<>();
    private final ArrayDeque<GenerationJob> backlog = new ArrayDeque<>();
    private final DistributionSummary batchRows;
    private final Counter forwards;
    private final Counter completionTokens;
    private volatile boolean running = true;
    private Thread thread;

    BatchWorker(ModelHolder holder, CaptureConfig config, MeterRegistry registry) {
        this.holder = holder;
        this.maxBatch = config.batch().maxSize();
        this.maxBatchTokens = config.batch().maxTokens();
        this.windowNanos = config.batch().window().toNanos();
        this.regroupNanos = Math.max(windowNanos, config.batch().regroupWindow().toNanos());
        this.batchRows = DistributionSummary.builder("latentqa.capture.batch.rows")
                .description("requests that shared one batch of forward passes").register(registry);
        this.forwards = Counter.builder("latentqa.capture.forward.passes")
                .description("forward passes run by the generation worker").register(registry);
        this.completionTokens = Counter.builder("latentqa.capture.completion.tokens")
                .description("tokens generated").register(registry);
        registry.gauge("latentqa.capture.queue.requests", incoming, q -> q.size() + backlog.size());
    }

    void start(@Observes StartupEvent event) {
        thread = new Thread(this::loop, "capture-model");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            // let the running batch end before the model is closed
            thread.interrupt();
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Queues a request; its {@link GenerationJob#result()} completes when it is done. */
    public void submit(GenerationJob job) {
        if (!running) {
            job.result().completeExceptionally(new IllegalStateException("the service is shutting down"));
            return;
        }
        incoming.add(job);
    }

    /** Runs {@code task} on the model thread between two batches (waits for the current batch to end). */
    public void betweenBatches(Runnable task) {
        incoming.add(task);
    }

    private void loop() {
        BatchGeneration generation = new BatchGeneration(holder.model(), holder.tokenizer());
        while (running) {
            try {
                List<GenerationJob> batch = nextBatch();
                if (batch.isEmpty()) {
                    continue;
                }
                batchRows.record(batch.size());
                long start = System.nanoTime();
                forwards.increment(generation.run(batch));
                returning = batch.size();
                int tokens = 0;
                for (GenerationJob job : batch) {
                    GenerationResult result = job.result().getNow(null);
                    tokens += result == null ? 0 : result.completionIds().length;
                }
                completionTokens.increment(tokens);
                LOG.debugf("batch of %d: %d tokens in %.2f s", (Object) batch.size(), tokens, (System.nanoTime() - start) / 1e9);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                // the batch's jobs were failed with the error; the worker goes on
                LOG.error("generation batch failed: " + e.getMessage(), e);
            }
        }
        for (GenerationJob job : backlog) {
            job.result().completeExceptionally(new IllegalStateException("the service is shutting down"));
        }
    }

    /** The oldest waiting job and up to maxBatch - 1 more with the same adapter, after the batching window. */
    private List<GenerationJob> nextBatch() throws InterruptedException {
        if (backlog.isEmpty()) {
            accept(incoming.take());
        }
        drainIncoming();
        dropCancelled();
        if (backlog.isEmpty()) {
            return List.of();
        }
        String adapter = backlog.peekFirst().adapter();
        // closed-loop clients of the batch that just ended send their next request within moments: waiting
        // for them keeps everyone in one batch instead of two cohorts that take turns
        int expected = Math.min(maxBatch, Math.max(count(adapter), returning));
        returning = 0;
        long start = System.nanoTime();
        while (count(adapter) < maxBatch) {
            long window = count(adapter) < expected ? regroupNanos : windowNanos;
            long left = start + window - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Object next = incoming.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            accept(next);
            drainIncoming();
        }
        List<GenerationJob> batch = new ArrayList<>();
        int longest = 0;
        for (Iterator<GenerationJob> it = backlog.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
            GenerationJob job = it.next();
            if (!Objects.equals(job.adapter(), adapter)) {
                continue;
            }
            int padded = Math.max(longest, job.promptLength()) * (batch.size() + 1);
            if (!batch.isEmpty() && padded > maxBatchTokens) {
                // left for the next batch: the prefill would hold too many padded tokens
                continue;
            }
            longest = Math.max(longest, job.promptLength());
            batch.add(job);
            it.remove();
        }
        return batch;
    }

    private void drainIncoming() {
        for (Object next = incoming.poll(); next != null; next = incoming.poll()) {
            accept(next);
        }
    }

    /** Jobs join the backlog; tasks run at once (no batch is running while the worker collects one). */
    private void accept(Object item) {
        if (item instanceof GenerationJob job) {
            backlog.addLast(job);
        } else if (item instanceof Runnable task) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("task between batches failed: " + e.getMessage(), e);
            }
        }
    }

    private void dropCancelled() {
        backlog.removeIf(job -> {
            if (job.cancelled()) {
                job.result().cancel(false);
                return true;
            }
            return false;
        });
    }

    private int count(String adapter) {
        int n = 0;
        for (GenerationJob job : backlog) {
            n += Objects.equals(job.adapter(), adapter) ? 1 : 0;
        }
        return n;
    }
}
