package dev.patchwatch.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for a long-running command: the shutdown hook wakes the command, which closes everything
 * in order on its own thread, and the hook waits for that before the JVM exits.
 */
final class ServiceShutdown {

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  private ServiceShutdown() {}

  static ServiceShutdown onCtrlC() {
    ServiceShutdown shutdown = new ServiceShutdown();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  shutdown.requested.countDown();
                  try {
                    shutdown.closed.await(60, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "patchwatch-shutdown"));
    return shutdown;
  }

  /** Blocks until Ctrl-C (or any other JVM shutdown). */
  void awaitRequest() throws InterruptedException {
    requested.await();
  }

  /** Whether Ctrl-C (or another JVM shutdown) has been asked for, for work that polls. */
  boolean requested() {
    return requested.getCount() == 0;
  }

  /** Everything is closed: the JVM may exit. */
  void closed() {
    closed.countDown();
  }
}
