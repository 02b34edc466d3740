package dev.patchwatch.scanner;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.scanner.format.FormatReader;
import dev.patchwatch.scanner.format.FormatReader.ReadResult;
import dev.patchwatch.scanner.format.InputFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes input files, the one way {@code ingest}, {@code replay} and {@code archive import} do:
 * reads each record in its format, checks it with the event contract, sends valid events to the
 * scans topic and every other record to the rejected topic with its file and position, and keeps
 * the counts and the greatest observedAt for the closing watermark. What is read, rejected and
 * stored is told to a {@link Listener}, so each command reports it in its own words.
 */
public final class FilePublisher {

  /** How long the closing watermark may take to be stored. */
  private static final Duration WATERMARK_TIMEOUT = Duration.ofMinutes(10);

  /** What a caller hears while files are published; every method has a default doing nothing. */
  public interface Listener {

    /** The event read at {@code position} is stored; called on the producer's thread. */
    default void stored(long position, RecordMetadata metadata) {}

    /** A record of {@code file} was refused and sent to the rejected topic. */
    default void rejected(Path file, ReadResult.Rejection rejection, FilePublisher counts) {}

    /** A record of {@code input} was handled, for progress. */
    default void read(Path file, InputFile input, FilePublisher counts) {}
  }

  private final ScanSink sink;
  private final EventContract contract;
  private final Listener listener;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private long read;
  private long accepted;
  private long rejected;
  private long maxObservedAt = Long.MIN_VALUE;

  public FilePublisher(ScanSink sink, EventContract contract, Listener listener) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.contract = Objects.requireNonNull(contract, "contract");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Publishes every record of {@code input}, opened from {@code file}; stops at the first record
   * the broker refuses.
   *
   * @throws IllegalStateException if the broker refused a record
   */
  public void publish(Path file, InputFile input) throws IOException {
    try {
      new FormatReader(input.format(), contract)
          .read(
              input,
              result -> {
                read++;
                if (result instanceof ReadResult.Event event) {
                  result = send(event);
                }
                if (result instanceof ReadResult.Rejection rejection) {
                  reject(file, rejection);
                }
                requireNoFailure();
                listener.read(file, input, this);
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Sends the event, or returns why it cannot be (too large once serialized). */
  private ReadResult send(ReadResult.Event event) {
    ScanEvent valid = event.event();
    CompletableFuture<RecordMetadata> sent;
    try {
      sent = sink.publish(valid);
    } catch (InvalidScanEventException e) {
      byte[] original = event.original();
      return new ReadResult.Rejection(
          event.position(),
          e.reason() == RejectReason.TOO_LARGE ? EventContract.head(original) : original,
          e.reason(),
          e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    accepted++;
    maxObservedAt = Math.max(maxObservedAt, valid.getObservedAt().toEpochMilli());
    long position = event.position();
    sent.whenComplete(
        (metadata, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
          } else {
            listener.stored(position, metadata);
          }
        });
    return event;
  }

  private void reject(Path file, ReadResult.Rejection r) {
    rejected++;
    track(
        sink.publishRejected(file.toString(), r.position(), r.original(), r.reason(), r.message()));
    listener.rejected(file, r, this);
  }

  private void track(CompletableFuture<?> sent) {
    sent.whenComplete(
        (m, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
          }
        });
  }

  /**
   * Waits until everything published is stored, then sends {@code watermark}, if any, and waits for
   * it too.
   *
   * @throws IllegalStateException if the broker refused a record or the watermark
   */
  public void finish(Optional<Instant> watermark) {
    sink.flush();
    requireNoFailure();
    if (watermark.isPresent()) {
      await(sink.watermark(watermark.get()));
    }
  }

  private void requireNoFailure() {
    Throwable error = failure.get();
    if (error != null) {
      throw new IllegalStateException("the broker refused records: " + error.getMessage(), error);
    }
  }

  private static void await(CompletableFuture<Void> sent) {
    try {
      sent.get(WATERMARK_TIMEOUT.toMinutes(), TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot send the watermark: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "cannot send the watermark: no answer within " + WATERMARK_TIMEOUT.toMinutes() + " min",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending the watermark", e);
    }
  }

  /** The contract records are checked against. */
  public EventContract contract() {
    return contract;
  }

  /** Records read so far, over every file: one per event or rejection. */
  public long read() {
    return read;
  }

  /** Events sent to the scans topic so far. */
  public long accepted() {
    return accepted;
  }

  /** Records sent to the rejected topic so far. */
  public long rejected() {
    return rejected;
  }

  /** The greatest observedAt of the events sent, if any was. */
  public Optional<Instant> maxObservedAt() {
    return accepted == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(maxObservedAt));
  }
}
