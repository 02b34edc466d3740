package dev.patchwatch.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** One local Apicurio Registry for the integration tests of the JVM, started on first use. */
public final class SharedRegistry {

  private static LocalRegistry registry;

  private SharedRegistry() {}

  public static synchronized String url() {
    if (registry == null) {
      try {
        registry =
            LocalRegistry.start(
                LocalRegistry.defaultHome(),
                Files.createTempDirectory("patchwatch-it-registry-"),
                0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "shared-registry-close"));
    }
    return registry.url();
  }
}
