package dev.patchwatch.topology;

/** Mutable sums of partial counts, owned by one processor; never handed to anyone else. */
final class Counts {

  long hosts;
  long vulnerable;
  long mitigated;
  long patched;
  long unreachable;
  long compromised;
}
