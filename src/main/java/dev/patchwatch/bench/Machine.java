package dev.patchwatch.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** The machine a run measures: what it is and how loaded, since both move every figure. */
final class Machine {

  private Machine() {}

  static void describe(BenchReport report) {
    Runtime runtime = Runtime.getRuntime();
    report.machine("cores", runtime.availableProcessors());
    report.machine(
        "cpu",
        firstValue(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch")));
    report.machine("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal").orElse("unknown"));
    report.machine("maxHeapMb", runtime.maxMemory() / BenchReport.MB);
    report.machine(
        "jdk",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    report.machine(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    report.machine("kafka", org.apache.kafka.common.utils.internals.AppInfoParser.getVersion());
    report.machine("loadAverageBefore", loadAverage());
  }

  /** Says so when other work competes for the CPU before starting. */
  static void noteLoad(Progress progress) {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    if (load > cores / 2.0) {
      progress.printf(
          "note: load average %.1f on %d cores before starting: other work competes for the CPU%n",
          load, cores);
    }
  }

  /** The 1, 5 and 15-minute load averages, from /proc/loadavg or else the JVM's 1-minute figure. */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return String.format(
          Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static Optional<String> firstValue(Path file, String key) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines
          .filter(l -> l.startsWith(key))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst();
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }
}
