package io.latentqa.dataset.job;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.latentqa.dataset.DatasetConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

/**
 * Runs jobs in the background on {@code latentqa.dataset.jobs.workers} threads, in submission order. At start
 * it picks up the jobs that were QUEUED or RUNNING when the service stopped: a running job resumes from what
 * it had committed (each job type keeps its work idempotent: natural keys, a persisted plan of items).
 * At shutdown running jobs stop at their next record boundary and stay RUNNING.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final JobRepository jobs;
    private final Map<JobType, JobHandler> handlers;
    private final DatasetConfig config;
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private ExecutorService executor;

    JobRunner(JobRepository jobs, Instance<JobHandler> handlers, DatasetConfig config) {
        this.jobs = jobs;
        this.handlers = handlers.stream().collect(Collectors.toMap(JobHandler::type, Function.identity()));
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /** @return the handler of a job type */
    public JobHandler handler(JobType type) {
        JobHandler handler = handlers.get(type);
        if (handler == null) {
            throw new IllegalStateException("no JobHandler bean for job type " + type.wireName());
        }
        return handler;
    }

    /** Starts the workers and queues the jobs left unfinished by the last run of the service. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        stopping = false;
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "dataset-job-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        executor = Executors.newFixedThreadPool(config.jobs().workers(), factory);
        for (String id : jobs.unfinished()) {
            LOG.infof("job %s was unfinished when the service stopped: queued to resume", id);
            submit(id);
        }
    }

    /** Stops the workers: running jobs stop at their next record boundary and stay RUNNING, to resume at start. */
    public synchronized void stop() {
        if (executor == null) {
            return;
        }
        stopping = true;
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("a dataset job did not reach a record boundary within 30 s of shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
    }

    /** Queues a job (already stored as QUEUED or RUNNING). */
    public synchronized void submit(String id) {
        if (executor == null) {
            throw new IllegalStateException("the job runner is stopped; job " + id + " runs when the service starts");
        }
        executor.execute(() -> run(id));
    }

    /** Makes a running job stop at its next record boundary (the request is also in the database). */
    public void cancel(String id) {
        cancelled.add(id);
    }

    private void run(String id) {
        Job job = jobs.find(id).orElse(null);
        if (job == null || job.status().finished()) {
            return;
        }
        if (job.cancelRequested()) {
            jobs.finish(id, JobStatus.CANCELLED, null, "cancelled before it resumed");
            return;
        }
        if (!jobs.claim(id)) {
            return;
        }
        job = jobs.find(id).orElseThrow();
        JobContext context = new JobContext(job, jobs, () -> stopping, () -> cancelled.contains(id),
                config.jobs().progressInterval().toNanos());
        LOG.infof("job %s (%s) %s", id, job.type().wireName(), job.runs() > 1 ? "resumes" : "starts");
        try {
            JobOutcome outcome = handler(job.type()).run(context);
            context.flush();
            jobs.finish(id, outcome.status(), outcome.result(), outcome.message());
            LOG.infof("job %s %s", id, outcome.status());
        } catch (JobCancelledException e) {
            context.flush();
            jobs.finish(id, JobStatus.CANCELLED, null, "cancelled at a record boundary after " + context.doneCount()
                    + " of its units; work that commits all or nothing was rolled back");
            LOG.infof("job %s cancelled", id);
        } catch (JobStoppedException e) {
            flushQuietly(context);
            LOG.infof("job %s stopped by shutdown; it resumes at the next start", id);
        } catch (Exception e) {
            if (stopping) {
                // a database call cut short by the shutdown: not the job's fault, it resumes at the next start
                LOG.infof("job %s interrupted by shutdown (%s); it resumes at the next start", id, e.getMessage());
                return;
            }
            LOG.errorf(e, "job %s failed", id);
            flushQuietly(context);
            jobs.finish(id, JobStatus.FAILED, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            cancelled.remove(id);
        }
    }

    private static void flushQuietly(JobContext context) {
        try {
            context.flush();
        } catch (RuntimeException e) {
            LOG.debugf("could not write progress while stopping: %s", e.getMessage());
        }
    }

    /** Checks a job's params with its handler; throws {@link InvalidParamsException} saying what to fix. */
    void validate(JobType type, JsonNode params) {
        handler(type).validate(params);
    }
}
