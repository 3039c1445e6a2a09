package io.latentqa.dataset.job;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a running job sees of the runner: its row, progress and error reporting, and the checkpoint where a
 * cancel or a shutdown takes effect. Progress is written at most every
 * {@code latentqa.dataset.jobs.progress-interval}, and always by {@link #flush()}.
 */
public class JobContext {

    private final Job job;
    private final JobRepository jobs;
    private final BooleanSupplier stopping;
    private final BooleanSupplier cancelledHere;
    private final long intervalNanos;
    private final List<JobError> pendingErrors = new ArrayList<>();
    private int done;
    private int total;
    private int errorCount;
    private long lastWrite;
    private long lastCancelPoll;

    JobContext(Job job, JobRepository jobs, BooleanSupplier stopping, BooleanSupplier cancelledHere, long intervalNanos) {
        this.job = job;
        this.jobs = jobs;
        this.stopping = stopping;
        this.cancelledHere = cancelledHere;
        this.intervalNanos = intervalNanos;
        this.done = job.done();
        this.total = job.total();
        this.lastWrite = System.nanoTime();
        this.lastCancelPoll = lastWrite;
    }

    public String jobId() {
        return job.id();
    }

    public JsonNode params() {
        return job.params();
    }

    /** @return true when this run resumes a job that an earlier run started */
    public boolean resumed() {
        return job.runs() > 1;
    }

    /**
     * A record boundary: stops the job here if the service shuts down or a cancel was requested.
     *
     * @throws JobStoppedException on shutdown (the job stays RUNNING)
     * @throws JobCancelledException on cancel
     */
    public void checkpoint() {
        if (stopping.getAsBoolean() || Thread.currentThread().isInterrupted()) {
            throw new JobStoppedException(job.id());
        }
        if (cancelledHere.getAsBoolean()) {
            throw new JobCancelledException(job.id());
        }
        long now = System.nanoTime();
        if (now - lastCancelPoll > 4 * intervalNanos) {
            // a cancel sent to another instance of the service reaches this one through the database
            lastCancelPoll = now;
            if (jobs.cancelRequested(job.id())) {
                throw new JobCancelledException(job.id());
            }
        }
        maybeWrite();
    }

    public void total(int total) {
        this.total = total;
        maybeWrite();
    }

    public void done(int done) {
        this.done = done;
        maybeWrite();
    }

    public void advance() {
        done++;
        maybeWrite();
    }

    public int doneCount() {
        return done;
    }

    public void error(JobError error) {
        pendingErrors.add(error);
        errorCount++;
        maybeWrite();
    }

    /** @return errors reported through this context (this run) */
    public int errorCount() {
        return errorCount;
    }

    /** Writes progress and errors now. */
    public void flush() {
        jobs.progress(job.id(), done, total);
        jobs.addErrors(job.id(), List.copyOf(pendingErrors));
        pendingErrors.clear();
        lastWrite = System.nanoTime();
    }

    /** Sets the job's message (e.g. what it waits for) now. */
    public void message(String message) {
        jobs.message(job.id(), message);
    }

    /** Sleeps, waking early on shutdown. */
    public void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobStoppedException(job.id());
        }
    }

    private void maybeWrite() {
        if (System.nanoTime() - lastWrite >= intervalNanos) {
            flush();
        }
    }
}
