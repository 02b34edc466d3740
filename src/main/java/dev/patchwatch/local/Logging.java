package dev.patchwatch.local;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/** Switches how much the whole process logs; the quiet default comes from log4j2.xml. */
public final class Logging {

  private static boolean verbose;

  private Logging() {}

  /**
   * INFO for every logger, the ones log4j2.xml quiets included (an embedded broker then prints
   * thousands of lines); or back to log4j2.xml.
   */
  public static synchronized void setVerbose(boolean on) {
    if (on) {
      Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.INFO);
    } else if (verbose) {
      Configurator.reconfigure();
    }
    verbose = on;
  }
}
