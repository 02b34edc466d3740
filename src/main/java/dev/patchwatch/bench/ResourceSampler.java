package dev.patchwatch.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Samples this process while a phase runs: heap in use every 100 ms, heap left after each garbage
 * collection (what survives, a better measure of what the phase holds than the sawtooth of "in
 * use"), resident memory (RocksDB lives off the heap), and, every second, the size of a directory.
 * The whole process is measured, the embedded broker included: one JVM runs everything.
 */
final class ResourceSampler implements AutoCloseable {

  private static final long SAMPLE_MS = 100;
  private static final long DIRECTORY_EVERY = 10;
  private static final Path STATUS = Path.of("/proc/self/status");

  /**
   * What a phase used at most, and the CPU time the whole process used meanwhile (on a shared
   * machine a steadier measure of the work done than wall time). Sizes in bytes, time in
   * nanoseconds; -1 when not measurable here.
   */
  record Peaks(long heapUsed, long heapAfterGc, long rss, long directory, long cpuNanos) {}

  private final Optional<Path> directory;
  private final AtomicLong heapUsed = new AtomicLong();
  private final AtomicLong heapAfterGc = new AtomicLong(-1);
  private final AtomicLong rss = new AtomicLong(-1);
  private final AtomicLong directorySize = new AtomicLong(-1);
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener gcListener;
  private final Thread thread;
  private final long cpuAtStart = processCpuNanos();
  private volatile long cpuAtClose = -1;
  private volatile boolean running = true;

  private ResourceSampler(Optional<Path> directory) {
    this.directory = directory;
    Set<String> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
    this.gcListener =
        (Notification notification, Object handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
              notification.getType())) {
            Map<String, MemoryUsage> after =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
                    .getGcInfo()
                    .getMemoryUsageAfterGc();
            long used = 0;
            for (Map.Entry<String, MemoryUsage> pool : after.entrySet()) {
              if (heapPools.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
              }
            }
            heapAfterGc.accumulateAndGet(used, Math::max);
          }
        };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(gcListener, null, null);
        emitters.add(emitter);
      }
    }
    this.thread = new Thread(this::sample, "bench-resource-sampler");
    thread.setDaemon(true);
  }

  /** Starts sampling; {@code directory}, if given, is sized every second. */
  static ResourceSampler start(Optional<Path> directory) {
    ResourceSampler sampler = new ResourceSampler(directory);
    sampler.thread.start();
    return sampler;
  }

  /** Counts CPU time up to now only: the phase's measured work is over, what follows is cleanup. */
  void stopCpuClock() {
    if (cpuAtClose < 0) {
      cpuAtClose = processCpuNanos();
    }
  }

  /** The peaks so far; the CPU time up to {@link #stopCpuClock()} or {@link #close()}, or now. */
  Peaks peaks() {
    long cpuEnd = cpuAtClose >= 0 ? cpuAtClose : processCpuNanos();
    return new Peaks(
        heapUsed.get(),
        heapAfterGc.get(),
        rss.get(),
        directorySize.get(),
        cpuAtStart < 0 || cpuEnd < 0 ? -1 : cpuEnd - cpuAtStart);
  }

  /** The CPU time this whole process has used, or -1 where the JVM cannot say. */
  static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  private void sample() {
    long round = 0;
    while (running) {
      heapUsed.accumulateAndGet(
          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
      rss.accumulateAndGet(residentBytes(), Math::max);
      if (directory.isPresent() && round++ % DIRECTORY_EVERY == 0) {
        directorySize.accumulateAndGet(sizeOf(directory.get()), Math::max);
      }
      try {
        Thread.sleep(SAMPLE_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops sampling, after one last sample of the directory. */
  @Override
  public void close() {
    stopCpuClock();
    running = false;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    directory.ifPresent(dir -> directorySize.accumulateAndGet(sizeOf(dir), Math::max));
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(gcListener);
      } catch (ListenerNotFoundException e) {
        // already gone: nothing to undo
      }
    }
  }

  /** Resident set size from /proc, or -1 where there is no /proc. */
  static long residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Bytes of the regular files under {@code dir}; files that vanish while walking are skipped. */
  static long sizeOf(Path dir) {
    AtomicLong total = new AtomicLong();
    if (!Files.exists(dir)) {
      return 0;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile()) {
                total.addAndGet(attrs.size());
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      return total.get();
    }
    return total.get();
  }
}
