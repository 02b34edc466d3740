package dev.patchwatch.runtime;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting on the cluster, with one way of failing: an IllegalStateException whose message says what
 * could not be done and why, which the command line prints as its one-line error.
 */
public final class Waits {

  private Waits() {}

  /**
   * The future's value.
   *
   * @param what what the future does, as in "cannot {@code what}: …"
   */
  public static <T> T await(Future<T> future, Duration timeout, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String why =
          cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      throw new IllegalStateException("cannot " + what + ": " + why, cause);
    } catch (TimeoutException e) {
      String within =
          timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
      throw new IllegalStateException("cannot " + what + ": no answer within " + within, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying to " + what, e);
    }
  }

  /** Sleeps; an interrupt ends the wait for {@code waitingFor} with an exception, flag kept. */
  public static void sleep(long millis, String waitingFor) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + waitingFor, e);
    }
  }
}
