package io.latentqa.capture.spool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventSpoolTest {

    @TempDir
    Path dir;

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordsComeBackInOrderAndLeaveWhenRemoved() throws Exception {
        EventSpool spool = new EventSpool(dir, 1 << 20, 100);
        for (int i = 0; i < 5; i++) {
            spool.append("latentqa.activations", "req-" + i, bytes("value " + i));
        }
        assertEquals(5, spool.size());
        List<SpooledRecord> window = spool.peek(3);
        assertEquals(List.of("req-0", "req-1", "req-2"), window.stream().map(SpooledRecord::key).toList());
        assertArrayEquals(bytes("value 1"), window.get(1).value());
        spool.remove(window.get(0));
        spool.remove(window.get(1));
        assertEquals("req-2", spool.peek(1).get(0).key());
        assertEquals(3, spool.size());
    }

    @Test
    void recordsSurviveAReopenAndNewOnesQueueAfterThem() throws Exception {
        EventSpool first = new EventSpool(dir, 1 << 20, 100);
        first.append("t", "a", bytes("1"));
        first.append("t", null, bytes("2"));
        SpooledRecord sent = first.peek(1).get(0);
        first.remove(sent);
        // a crash mid-write leaves a temporary file: it is dropped, never sent
        Files.write(dir.resolve("00000000000000000099.tmp"), bytes("half"));

        EventSpool second = new EventSpool(dir, 1 << 20, 100);
        second.append("t", "c", bytes("3"));
        List<SpooledRecord> records = second.peek(10);
        assertEquals(2, records.size());
        assertNull(records.get(0).key());
        assertEquals("c", records.get(1).key());
        assertTrue(records.get(0).sequence() < records.get(1).sequence());
        assertTrue(Files.notExists(dir.resolve("00000000000000000099.tmp")));
    }

    @Test
    void damagedRecordIsSetAsideNotSent() throws Exception {
        EventSpool spool = new EventSpool(dir, 1 << 20, 100);
        spool.append("t", "good", bytes("fine"));
        spool.append("t", "bad", bytes("will be damaged"));
        Path bad = dir.resolve(String.format("%020d.rec", 2));
        byte[] content = Files.readAllBytes(bad);
        content[content.length - 6] ^= 0x55;
        Files.write(bad, content);

        EventSpool reopened = new EventSpool(dir, 1 << 20, 100);
        assertEquals(1, reopened.size());
        assertEquals("good", reopened.peek(5).get(0).key());
        assertTrue(Files.exists(dir.resolve("corrupt").resolve(bad.getFileName())));
    }

    @Test
    void fullSpoolRefusesAndCounts() throws Exception {
        EventSpool spool = new EventSpool(dir, 1 << 20, 2);
        spool.append("t", "a", bytes("1"));
        spool.append("t", "b", bytes("2"));
        SpoolFullException full = assertThrows(SpoolFullException.class, () -> spool.append("t", "c", bytes("3")));
        assertTrue(full.getMessage().contains("is full (2 records"), full.getMessage());
        assertEquals(1, spool.rejected());
        spool.remove(spool.peek(1).get(0));
        spool.append("t", "c", bytes("3"));

        EventSpool small = new EventSpool(dir.resolve("small"), 200, 100);
        small.append("t", "x", new byte[100]);
        assertThrows(SpoolFullException.class, () -> small.append("t", "y", new byte[100]));
        assertEquals(1, small.rejected());
    }

    @Test
    void awaitRecordsWakesOnAppend() throws Exception {
        EventSpool spool = new EventSpool(dir, 1 << 20, 10);
        assertTrue(!spool.awaitRecords(10));
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(100);
                spool.append("t", "k", bytes("v"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        assertTrue(spool.awaitRecords(10_000));
        writer.join();
    }

    @Test
    void unwritableDirectoryFailsWithTheSetting() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try {
                new EventSpool(file.resolve("spool"), 100, 10);
            } catch (java.io.UncheckedIOException io) {
                throw new IllegalStateException(io.getMessage(), io);
            }
        });
        assertTrue(e.getMessage().contains("latentqa.capture.spool.dir"), e.getMessage());
    }
}
