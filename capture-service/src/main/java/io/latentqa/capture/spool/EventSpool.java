package io.latentqa.capture.spool;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.jboss.logging.Logger;

/**
 * A bounded, durable FIFO of Kafka records on a local directory: the write-ahead log of everything
 * capture publishes. Every record is one file {@code <sequence>.rec}, written to a temporary file,
 * fsync'ed, renamed into place and the directory fsync'ed, so a record that {@link #append} accepted
 * survives a crash; the sender {@link #remove}s it only after Kafka acknowledged it. Records are read back
 * in sequence order, which keeps the order per key. Past {@code maxRecords} or {@code maxBytes} an append
 * is refused with {@link SpoolFullException} (the caller counts and logs it: never a silent loss).
 *
 * <p>File layout (big-endian): magic {@code LQSP}, version 1, topic (u16 length + UTF-8), key (u16 length +
 * UTF-8; length 0xFFFF = null), value (u32 length + bytes), CRC-32 of everything before it.
 */
public final class EventSpool {

    private static final Logger LOG = Logger.getLogger(EventSpool.class);
    private static final int MAGIC = 0x4C515350; // "LQSP"
    private static final int VERSION = 1;
    private static final String SUFFIX = ".rec";

    private final Path dir;
    private final long maxBytes;
    private final int maxRecords;
    private final TreeMap<Long, Long> sizes = new TreeMap<>(); // sequence -> file bytes
    private long bytes;
    private long nextSequence;
    private long rejected;

    /**
     * Opens (and creates) the spool on {@code dir}, recovering the records a previous process left.
     * Half-written temporary files are deleted; files that fail their checksum are moved to
     * {@code dir/corrupt} with an error in the log.
     */
    public EventSpool(Path dir, long maxBytes, int maxRecords) {
        if (maxBytes <= 0 || maxRecords <= 0) {
            throw new IllegalArgumentException("spool limits must be positive, got " + maxBytes + " bytes, "
                    + maxRecords + " records");
        }
        this.dir = dir.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        this.maxRecords = maxRecords;
        try {
            Files.createDirectories(this.dir);
            try (Stream<Path> files = Files.list(this.dir)) {
                for (Path file : files.toList()) {
                    recover(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the event spool at " + this.dir
                    + "; check that the directory is writable (latentqa.capture.spool.dir)", e);
        }
        nextSequence = sizes.isEmpty() ? 1 : sizes.lastKey() + 1;
        if (!sizes.isEmpty()) {
            LOG.infof("event spool %s: %d records (%d bytes) left by a previous run will be sent first", this.dir,
                    sizes.size(), bytes);
        }
    }

    private void recover(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp")) {
            Files.deleteIfExists(file);
            return;
        }
        if (!name.endsWith(SUFFIX) || !Files.isRegularFile(file)) {
            return;
        }
        long sequence;
        try {
            sequence = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
            read(file, sequence);
        } catch (NumberFormatException | IOException | IllegalStateException e) {
            Path corrupt = Files.createDirectories(dir.resolve("corrupt")).resolve(name);
            Files.move(file, corrupt, StandardCopyOption.REPLACE_EXISTING);
            LOG.errorf("event spool: %s is damaged (%s); moved to %s and NOT sent", file, e.getMessage(), corrupt);
            return;
        }
        long size = Files.size(file);
        sizes.put(sequence, size);
        bytes += size;
    }

    /**
     * Stores a record durably (fsync) at the end of the queue.
     *
     * @throws SpoolFullException if the spool is at its limit (the record is not stored)
     * @throws IOException        if the disk refuses the write (the record is not stored)
     */
    public SpooledRecord append(String topic, String key, byte[] value) throws SpoolFullException, IOException {
        byte[] encoded = encode(topic, key, value);
        long sequence;
        synchronized (this) {
            if (sizes.size() >= maxRecords || bytes + encoded.length > maxBytes) {
                rejected++;
                throw new SpoolFullException("event spool " + dir + " is full (" + sizes.size() + " records, " + bytes
                        + " bytes; limits " + maxRecords + " records, " + maxBytes + " bytes)");
            }
            sequence = nextSequence++;
            // reserve the room now so that concurrent appends respect the limit
            sizes.put(sequence, -1L);
            bytes += encoded.length;
        }
        Path target = dir.resolve(String.format("%020d%s", sequence, SUFFIX));
        Path tmp = dir.resolve(String.format("%020d.tmp", sequence));
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(encoded);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            synchronized (this) {
                sizes.remove(sequence);
                bytes -= encoded.length;
            }
            throw e;
        }
        synchronized (this) {
            sizes.put(sequence, (long) encoded.length);
            notifyAll();
        }
        return new SpooledRecord(sequence, topic, key, value, encoded.length);
    }

    /**
     * The oldest records, in order, up to {@code max}; stops before a record still being written so that
     * the order is never broken.
     */
    public List<SpooledRecord> peek(int max) throws IOException {
        List<Map.Entry<Long, Long>> entries = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Long, Long> entry : sizes.entrySet()) {
                if (entries.size() >= max || entry.getValue() < 0) {
                    break;
                }
                entries.add(Map.entry(entry.getKey(), entry.getValue()));
            }
        }
        List<SpooledRecord> records = new ArrayList<>(entries.size());
        for (Map.Entry<Long, Long> entry : entries) {
            records.add(read(dir.resolve(String.format("%020d%s", entry.getKey(), SUFFIX)), entry.getKey()));
        }
        return records;
    }

    /** Deletes a record that Kafka acknowledged. */
    public void remove(SpooledRecord record) throws IOException {
        Files.deleteIfExists(dir.resolve(String.format("%020d%s", record.sequence(), SUFFIX)));
        synchronized (this) {
            Long size = sizes.remove(record.sequence());
            if (size != null) {
                bytes -= size;
            }
            notifyAll();
        }
    }

    /** Waits until a complete record is there or the timeout passes; true if one is there. */
    public synchronized boolean awaitRecords(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!hasCompleteHead()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    private boolean hasCompleteHead() {
        return !sizes.isEmpty() && sizes.firstEntry().getValue() >= 0;
    }

    /** Records waiting (being written included). */
    public synchronized int size() {
        return sizes.size();
    }

    /** Bytes of the waiting records' files. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Appends refused because the spool was full, since this spool was opened. */
    public synchronized long rejected() {
        return rejected;
    }

    public Path dir() {
        return dir;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public int maxRecords() {
        return maxRecords;
    }

    // ------------------------------------------------------------------------------------------------

    static byte[] encode(String topic, String key, byte[] value) {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(value.length + 128);
            DataOutputStream out = new DataOutputStream(buffer);
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
            out.writeShort(topicBytes.length);
            out.write(topicBytes);
            if (key == null) {
                out.writeShort(0xFFFF);
            } else {
                byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
                if (keyBytes.length >= 0xFFFF) {
                    throw new IllegalArgumentException("record key is too long for the spool: " + keyBytes.length + " bytes");
                }
                out.writeShort(keyBytes.length);
                out.write(keyBytes);
            }
            out.writeInt(value.length);
            out.write(value);
            CRC32 crc = new CRC32();
            crc.update(buffer.toByteArray());
            out.writeInt((int) crc.getValue());
            out.flush();
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SpooledRecord read(Path file, long sequence) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (in.getInt() != MAGIC || in.get() != VERSION) {
                throw new IllegalStateException("not a spool record (bad magic or version)");
            }
            String topic = text(in, in.getShort() & 0xFFFF);
            int keyLength = in.getShort() & 0xFFFF;
            String key = keyLength == 0xFFFF ? null : text(in, keyLength);
            byte[] value = new byte[in.getInt()];
            in.get(value);
            int end = in.position();
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, end);
            if (in.getInt() != (int) crc.getValue() || in.hasRemaining()) {
                throw new IllegalStateException("checksum mismatch");
            }
            return new SpooledRecord(sequence, topic, key, value, bytes.length);
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalStateException("truncated record", e);
        }
    }

    private static String text(ByteBuffer in, int length) {
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void forceDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
