package dev.patchwatch.registry;

import java.util.List;

/** Whether a schema is compatible, and if not, why (one message per problem, possibly none). */
public record CompatibilityResult(boolean compatible, List<String> messages) {

  public CompatibilityResult {
    messages = List.copyOf(messages);
  }

  public static CompatibilityResult ok() {
    return new CompatibilityResult(true, List.of());
  }
}
