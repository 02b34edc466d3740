package dev.patchwatch.topology;

import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.avro.internal.PartialCounts;

/** Mutable per-key tallies owned by one processor; never handed to anyone else. */
final class Counts {

  long hosts;
  long vulnerable;
  long mitigated;
  long patched;
  long unreachable;
  long compromised;

  void add(ScanStatus status, boolean isCompromised, int sign) {
    hosts += sign;
    switch (status) {
      case VULNERABLE -> vulnerable += sign;
      case MITIGATED -> mitigated += sign;
      case PATCHED -> patched += sign;
      case UNREACHABLE -> unreachable += sign;
    }
    if (isCompromised) {
      compromised += sign;
    }
  }

  void add(PartialCounts other) {
    hosts += other.getHosts();
    vulnerable += other.getVulnerable();
    mitigated += other.getMitigated();
    patched += other.getPatched();
    unreachable += other.getUnreachable();
    compromised += other.getCompromised();
  }

  PartialCounts snapshot() {
    return new PartialCounts(hosts, vulnerable, mitigated, patched, unreachable, compromised);
  }
}
