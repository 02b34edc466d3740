package dev.patchwatch.registry;

/**
 * The Confluent compatibility levels. BACKWARD: the new schema reads data written with the old ones
 * (consumers upgrade first); FORWARD: the old schemas read data written with the new one (producers
 * upgrade first); FULL: both. A non-transitive level compares with the latest version only, a
 * transitive one with every version.
 */
public enum CompatibilityLevel {
  NONE,
  BACKWARD,
  BACKWARD_TRANSITIVE,
  FORWARD,
  FORWARD_TRANSITIVE,
  FULL,
  FULL_TRANSITIVE;

  /** Whether the new schema must read what the old ones wrote. */
  public boolean backward() {
    return this == BACKWARD
        || this == BACKWARD_TRANSITIVE
        || this == FULL
        || this == FULL_TRANSITIVE;
  }

  /** Whether the old schemas must read what the new one writes. */
  public boolean forward() {
    return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
  }

  /** Whether every earlier version counts, not only the latest. */
  public boolean transitive() {
    return name().endsWith("_TRANSITIVE");
  }
}
