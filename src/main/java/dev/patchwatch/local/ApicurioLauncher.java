package dev.patchwatch.local;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * The main class of the registry's child JVM, not of PatchWatch: it starts the real main class
 * given as the first argument, and ends that JVM when standard input closes. {@link LocalRegistry}
 * holds the other end of that pipe, and the operating system closes it however PatchWatch ends,
 * even killed with SIGKILL, when no shutdown hook runs: so the registry never outlives it.
 *
 * <p>{@link LocalRegistry} copies this one class file out of PatchWatch's jar to run it: putting
 * the whole jar on the registry's class path would mix two applications' libraries. So it must stay
 * a single class using nothing but the JDK.
 */
final class ApicurioLauncher {

  private ApicurioLauncher() {}

  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: ApicurioLauncher <main class> [args...]");
    }
    Thread watchdog = new Thread(ApicurioLauncher::exitWhenStandardInputCloses, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      Class.forName(args[0])
          .getMethod("main", String[].class)
          .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void exitWhenStandardInputCloses() {
    try {
      while (System.in.read() >= 0) {
        // nothing is ever sent: only the end of the stream matters
      }
    } catch (IOException e) {
      // a broken pipe means the same: the parent is gone
    }
    // This is the child JVM's own main program ending it; exit runs the registry's shutdown
    // hooks, so it stops cleanly and its database file is closed.
    System.exit(0);
  }
}
