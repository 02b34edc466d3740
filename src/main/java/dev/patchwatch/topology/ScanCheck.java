package dev.patchwatch.topology;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.utils.Utils;

/**
 * The checks every record of the scans topic passes before anything is counted: its size, the event
 * contract, its key (the canonical IP) and its partition (the default partitioner's). One task's,
 * as the partition is.
 */
final class ScanCheck {

  private final int partitions;
  private final int maxEventBytes;
  private final EventContract contract;
  private final int partition;

  ScanCheck(TopologySettings settings, EventContract contract, int partition) {
    this.partitions = settings.inputPartitions();
    this.maxEventBytes = settings.maxEventBytes();
    this.contract = contract;
    this.partition = partition;
  }

  /** Why a record is too large to handle ({@code TOO_LARGE}), or null. */
  Parsed.Invalid size(ScanInput input) {
    return input == null || input.raw() == null
        ? null
        : EventContract.sizeProblem("record", input.raw().length, maxEventBytes);
  }

  /** The event normalised, or why it is refused. */
  Parsed event(byte[] key, ScanEvent raw) {
    Parsed parsed = contract.normalize(raw);
    if (parsed instanceof Parsed.Invalid) {
      return parsed;
    }
    ScanEvent event = ((Parsed.Valid) parsed).event();
    byte[] ip = event.getIp().getBytes(StandardCharsets.UTF_8);
    if (!Arrays.equals(ip, key)) {
      return new Parsed.Invalid(
          RejectReason.KEY_MISMATCH,
          "record key must be the canonical IP \""
              + event.getIp()
              + "\", got "
              + (key == null ? "no key" : "\"" + new String(key, StandardCharsets.UTF_8) + "\""));
    }
    int expected = Utils.toPositive(Utils.murmur2(ip)) % partitions;
    if (expected != partition) {
      return new Parsed.Invalid(
          RejectReason.WRONG_PARTITION,
          "host "
              + event.getIp()
              + " belongs on partition "
              + expected
              + " of "
              + partitions
              + " (default partitioner), not "
              + partition);
    }
    return parsed;
  }
}
