package dev.patchwatch.registry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro (since 1.11.4) loads only trusted classes when it resolves a schema to specific classes, to
 * stop crafted schemas from instantiating arbitrary ones. The serdes trust exactly the packages of
 * the record classes they are built for, on top of Avro's defaults.
 */
public final class TrustedAvroPackages {

  private static final Set<String> PACKAGES = ConcurrentHashMap.newKeySet();

  static {
    ClassSecurityValidator.ClassSecurityPredicate defaults = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            defaults, type -> PACKAGES.contains(type.getPackageName())));
  }

  private TrustedAvroPackages() {}

  public static void trust(String... packageNames) {
    PACKAGES.addAll(Set.of(packageNames));
  }
}
