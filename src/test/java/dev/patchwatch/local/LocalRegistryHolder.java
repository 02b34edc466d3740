package dev.patchwatch.local;

import java.nio.file.Path;

/**
 * A stand-in for PatchWatch's {@code local} command, run in its own JVM by {@link LocalRegistryIT}
 * so the test can end that JVM the ways a user's can: prints the registry's pid and url, then waits
 * to be ended.
 */
final class LocalRegistryHolder {

  private LocalRegistryHolder() {}

  public static void main(String[] args) throws InterruptedException {
    LocalRegistry registry = LocalRegistry.start(Path.of(args[0]), Path.of(args[1]), 0);
    System.out.println("READY " + registry.pid() + " " + registry.url());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
