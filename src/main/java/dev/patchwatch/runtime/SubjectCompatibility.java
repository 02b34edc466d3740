package dev.patchwatch.runtime;

import dev.patchwatch.registry.CompatibilityLevel;
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.registry.SchemaRegistryException;
import java.util.Collection;
import java.util.Optional;

/**
 * Gives each subject the level in force as a level of its own, so that any client reads back from
 * {@code GET /config/{subject}} the level the registry applies. Apicurio 2.x answers NONE for a
 * subject without a level of its own while it enforces the global one, and a client that believes
 * it (the JavaScript Confluent client does) refuses to register.
 */
final class SubjectCompatibility {

  private SubjectCompatibility() {}

  /**
   * Sets the global level on each subject that has none of its own, or that reads NONE while the
   * global level is not NONE (Apicurio's answer for "none of its own"; a NONE chosen on purpose
   * there cannot be told apart, and becomes the global level). A level of its own other than NONE
   * is left as it is.
   *
   * @throws IllegalStateException naming the subject and the registry's reason
   */
  static void pin(SchemaRegistry registry, Collection<String> subjects) {
    CompatibilityLevel global;
    try {
      global = registry.compatibility();
    } catch (SchemaRegistryException e) {
      throw new IllegalStateException(
          "cannot read the registry's compatibility level: " + e.getMessage(), e);
    }
    for (String subject : subjects) {
      try {
        Optional<CompatibilityLevel> own = registry.compatibility(subject);
        if (own.isEmpty() || (own.get() == CompatibilityLevel.NONE && global != own.get())) {
          set(registry, subject, global);
        }
      } catch (SchemaRegistryException e) {
        throw new IllegalStateException(
            "cannot set the compatibility level of " + subject + ": " + e.getMessage(), e);
      }
    }
  }

  private static void set(SchemaRegistry registry, String subject, CompatibilityLevel level) {
    try {
      registry.setCompatibility(subject, level);
    } catch (SchemaRegistryException e) {
      // Apicurio 2.x answers 409 "a rule named COMPATIBILITY already exists" to the loser when
      // instances starting together set it at once; the winner's level is the same one.
      if (registry.compatibility(subject).orElse(null) != level) {
        registry.setCompatibility(subject, level);
      }
    }
  }
}
