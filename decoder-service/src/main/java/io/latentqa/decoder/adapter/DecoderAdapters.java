package io.latentqa.decoder.adapter;

import io.latentqa.core.events.ModelEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.latentqa.core.lora.AdapterFile;
import io.latentqa.decoder.DecoderConfig;
import io.latentqa.decoder.runtime.ModelHolder;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The decoder adapters of the one model, and which one reads by default: the newest published for this
 * model, else the base model. Hot swap: a published adapter is loaded and registered under a fresh name
 * before the default switches; work holds a {@link Lease} on the adapter it started with, and a retired or
 * replaced adapter is removed from the model only when its last lease closes.
 */
@ApplicationScoped
public class DecoderAdapters {

    private static final Logger LOG = Logger.getLogger(DecoderAdapters.class);

    /** Work's hold on one decoder; close it when done. */
    public final class Lease implements AutoCloseable {
        private final DecoderChoice choice;
        private final Entry entry;
        private boolean closed;

        private Lease(DecoderChoice choice, Entry entry) {
            this.choice = choice;
            this.entry = entry;
        }

        public DecoderChoice choice() {
            return choice;
        }

        @Override
        public void close() {
            synchronized (DecoderAdapters.this) {
                if (closed || entry == null) {
                    return;
                }
                closed = true;
                entry.leases--;
                removeIfUnused(entry);
            }
        }
    }

    private static final class Entry {
        final DecoderChoice choice;
        int leases;
        boolean retired;

        Entry(DecoderChoice choice) {
            this.choice = choice;
        }
    }

    private final ModelHolder holder;
    private final DecoderChoice base;
    private final Map<String, Entry> entries = new HashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private Entry current;

    DecoderAdapters(ModelHolder holder, DecoderConfig config) {
        this.holder = holder;
        this.base = new DecoderChoice(null, null, config.readLayer(), config.writeLayer());
    }

    /** The base model's choice (no adapter). */
    public DecoderChoice base() {
        return base;
    }

    /** The default decoder now. */
    public synchronized DecoderChoice current() {
        return current == null ? base : current.choice;
    }

    /**
     * Leases a decoder.
     *
     * @param adapterId a published adapter's id, {@code base} for the base model, or null for the default
     * @throws IllegalArgumentException if that adapter is not (or no longer) available
     */
    public synchronized Lease acquire(String adapterId) {
        Entry entry;
        if (adapterId == null) {
            entry = current;
        } else if (adapterId.equals("base")) {
            entry = null;
        } else {
            entry = entries.get(adapterId);
            if (entry == null || entry.retired) {
                throw new IllegalArgumentException("decoder adapter '" + adapterId + "' is not available; available: "
                        + available());
            }
        }
        if (entry == null) {
            return new Lease(base, null);
        }
        entry.leases++;
        return new Lease(entry.choice, entry);
    }

    /** The decoders that can be asked for: the base model first, then the adapters by id. */
    public synchronized java.util.List<DecoderChoice> choices() {
        java.util.List<DecoderChoice> choices = new java.util.ArrayList<>();
        choices.add(base);
        entries.values().stream().filter(e -> !e.retired).map(e -> e.choice)
                .sorted(java.util.Comparator.comparing(DecoderChoice::adapterId)).forEach(choices::add);
        return choices;
    }

    /** Ids of the adapters that can be asked for, with {@code base}. */
    public synchronized java.util.List<String> available() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        ids.add("base");
        entries.values().stream().filter(e -> !e.retired).map(e -> e.choice.adapterId()).sorted().forEach(ids::add);
        return ids;
    }

    /**
     * Loads a published decoder adapter and makes it the default.
     *
     * @throws IllegalArgumentException naming what is wrong (other model, digest mismatch, unreadable folder)
     */
    public void publish(ModelEvent event) {
        String ourDigest = holder.digest();
        String baseDigest = bare(event.baseModelDigest());
        if (baseDigest != null && !baseDigest.equals(ourDigest)) {
            throw new IllegalArgumentException("decoder adapter " + event.adapterId() + " was trained on "
                    + event.baseModelId() + " (digest " + baseDigest + "), not on the loaded " + holder.modelId()
                    + " (digest " + ourDigest + ")");
        }
        if (event.uri() == null || !event.uri().startsWith("file:")) {
            throw new IllegalArgumentException("decoder adapter " + event.adapterId() + ": uri must be file:<absolute"
                    + " path of a PEFT adapter directory>, got " + event.uri());
        }
        Path dir = Path.of(URI.create(event.uri().startsWith("file:/") ? event.uri() : "file:" + event.uri()));
        String actual = "sha256:" + sha256(dir.resolve(AdapterFile.WEIGHTS_FILE));
        if (!actual.equals(event.digest())) {
            throw new IllegalArgumentException("decoder adapter " + event.adapterId() + ": " + AdapterFile.WEIGHTS_FILE
                    + " has digest " + actual + " but the event says " + event.digest());
        }
        register(event.adapterId(), dir, event.readLayer(), event.writeLayer());
        LOG.infof("decoder adapter %s of run %s published", event.adapterId(), event.runId());
    }

    /**
     * Loads the adapter in {@code dir} (already verified by the caller), registers it on the model under a
     * fresh name and makes it the default; an adapter of the same id is replaced.
     *
     * @param readLayer  block the decoder reads, or null for the service's default
     * @param writeLayer block after which it writes, or null for the service's default
     */
    void register(String adapterId, Path dir, Integer readLayer, Integer writeLayer) {
        String name = "decoder:" + adapterId + ":" + generation.incrementAndGet();
        AdapterFile.Loaded loaded = AdapterFile.load(dir, name, holder.model().config(), holder.model().dataType());
        holder.model().addAdapter(loaded.adapter());
        int read = readLayer != null ? readLayer : base.readLayer();
        int write = writeLayer != null ? writeLayer : base.writeLayer();
        Entry entry = new Entry(new DecoderChoice(adapterId, name, read, write));
        synchronized (this) {
            Entry previous = entries.put(adapterId, entry);
            if (previous != null) {
                previous.retired = true;
                removeIfUnused(previous);
            }
            current = entry;
        }
        LOG.infof("decoder adapter %s (read %d, write %d) registered as %s and made the default", adapterId, read, write, name);
    }

    /** Retires an adapter: no new work gets it; it is removed when its last lease closes. */
    public synchronized void retire(String adapterId) {
        Entry entry = entries.remove(adapterId);
        if (entry == null) {
            return;
        }
        entry.retired = true;
        if (current == entry) {
            // fall back to the newest remaining adapter, else the base model
            current = entries.values().stream().filter(e -> !e.retired)
                    .max(java.util.Comparator.comparingLong(e -> Long.parseLong(
                            e.choice.modelAdapter().substring(e.choice.modelAdapter().lastIndexOf(':') + 1))))
                    .orElse(null);
        }
        removeIfUnused(entry);
        LOG.infof("decoder adapter %s retired; default is now %s", adapterId, current().label());
    }

    private void removeIfUnused(Entry entry) {
        if (entry.retired && entry.leases == 0) {
            var removed = holder.model().removeAdapter(entry.choice.modelAdapter());
            if (removed != null) {
                removed.close();
            }
        }
    }

    private static String bare(String digest) {
        if (digest == null) {
            return null;
        }
        return digest.startsWith("sha256:") ? digest.substring(7) : digest;
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
