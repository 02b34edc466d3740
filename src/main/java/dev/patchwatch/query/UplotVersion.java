package dev.patchwatch.query;

/** The uPlot WebJar the page is served with: keep equal to {@code uplot.version} in pom.xml. */
final class UplotVersion {
  static final String VERSION = "1.6.30";

  private UplotVersion() {}
}
