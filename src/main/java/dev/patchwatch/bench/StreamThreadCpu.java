package dev.patchwatch.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of an application's stream threads: the topology's own work, without the broker's, the
 * producers' I/O threads' or anything else in this process.
 */
final class StreamThreadCpu {

  private StreamThreadCpu() {}

  /** Their CPU time so far. */
  static long nanos(String applicationId) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Pattern streamThread =
        Pattern.compile(Pattern.quote(applicationId) + "-[0-9a-f-]{36}-StreamThread-[0-9]+");
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (streamThread.matcher(t.getName()).matches()) {
        sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
      }
    }
    return sum;
  }

  static void put(Map<String, Object> details, long nanos, long events) {
    details.put("streamThreadCpuSeconds", nanos / 1e9);
    details.put("eventsPerStreamThreadCpuSecond", nanos <= 0 ? null : events / (nanos / 1e9));
  }
}
