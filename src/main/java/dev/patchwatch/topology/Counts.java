package dev.patchwatch.topology;

import dev.patchwatch.avro.internal.PartialCounts;

/** Mutable sums of partial counts, owned by one processor; never handed to anyone else. */
final class Counts {

  long hosts;
  long vulnerable;
  long mitigated;
  long patched;
  long unreachable;
  long compromised;

  void add(PartialCounts other) {
    hosts += other.getHosts();
    vulnerable += other.getVulnerable();
    mitigated += other.getMitigated();
    patched += other.getPatched();
    unreachable += other.getUnreachable();
    compromised += other.getCompromised();
  }
}
