package dev.patchwatch.bench;

import java.time.Duration;
import java.util.concurrent.ExecutionException;

/** How a phase gives up: on a failed call to the cluster, and when it runs too long. */
final class Failures {

  private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(20);

  private Failures() {}

  static IllegalStateException failure(String what, Throwable e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return new IllegalStateException(what + ": " + cause.getMessage(), cause);
  }

  static void checkTimeout(long started, String what) {
    if (System.nanoTime() - started > PHASE_TIMEOUT.toNanos()) {
      throw new IllegalStateException(
          what + " did not finish within " + PHASE_TIMEOUT.toMinutes() + " min");
    }
  }
}
