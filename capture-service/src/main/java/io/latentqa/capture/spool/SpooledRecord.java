package io.latentqa.capture.spool;

/**
 * A Kafka record waiting in the spool.
 *
 * @param sequence position in the spool (FIFO order)
 * @param topic    the topic
 * @param key      the record key
 * @param value    the record value
 * @param fileBytes size of its spool file
 */
public record SpooledRecord(long sequence, String topic, String key, byte[] value, long fileBytes) {
}
