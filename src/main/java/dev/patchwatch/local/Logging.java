package dev.patchwatch.local;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/** Switches how much the whole process logs; the quiet default comes from log4j2.xml. */
public final class Logging {

  private Logging() {}

  /** INFO for every logger (an embedded broker then prints thousands of lines), or back to WARN. */
  public static void setVerbose(boolean verbose) {
    Configurator.setRootLevel(verbose ? Level.INFO : Level.WARN);
  }
}
