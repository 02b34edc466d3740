package dev.patchwatch.topology;

import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.avro.internal.StageMessage;

/** What the two stages emit; the topology routes each kind to its own sink. */
sealed interface StageOutput {

  /** From a partition's task to the aggregating tasks. */
  record ToAggregate(StageMessage message) implements StageOutput {}

  /** A partition's progress, for the other partitions (idle handling). */
  record ToProgress(PartitionProgress progress) implements StageOutput {}

  /** A record that was not counted, or not everywhere (LATE). */
  record ToRejected(Rejected rejected) implements StageOutput {}

  /** An aggregate: final (exactly once per key) or live; a null live count removes the key. */
  record ToCounts(boolean isFinal, RemediationCount count) implements StageOutput {}
}
