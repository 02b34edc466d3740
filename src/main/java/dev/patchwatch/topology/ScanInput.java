package dev.patchwatch.topology;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;

/** What one record of the scans topic turned out to be once decoded. */
sealed interface ScanInput {

  /** The value exactly as received, for rejections; null for a watermark. */
  byte[] raw();

  /** A decoded scan event, not yet validated. */
  record Event(ScanEvent event, byte[] raw) implements ScanInput {}

  /** A watermark: nothing older than {@code time} (epoch ms) will follow on this partition. */
  record Watermark(long time) implements ScanInput {
    @Override
    public byte[] raw() {
      return null;
    }
  }

  /** A record that could not be decoded; it is rejected, never counted. */
  record Broken(RejectReason reason, String message, byte[] raw) implements ScanInput {}
}
