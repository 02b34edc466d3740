package dev.patchwatch.scanner;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Where {@link FilePublisher} sends what it reads: the topics, through {@link ScanPublisher}, or
 * anything else that takes events the same way ({@code ingest --to-jsonl} writes a file).
 */
public interface ScanSink {

  /**
   * Sends a valid event; the future completes once it is stored (with null metadata where there is
   * no topic).
   *
   * @throws InvalidScanEventException if the event cannot be taken, e.g. too large once serialized
   */
  CompletableFuture<RecordMetadata> publish(ScanEvent event) throws IOException;

  /** Sends a record that is not a valid event, with where it was read and why it was refused. */
  CompletableFuture<RecordMetadata> publishRejected(
      String file, long position, byte[] original, RejectReason reason, String message);

  /** Promises every partition that no event older than {@code time} follows. */
  CompletableFuture<Void> watermark(Instant time);

  /** Waits until everything sent so far is stored or has failed. */
  void flush();
}
