package dev.patchwatch.cli;

import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.local.SharedRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code patchwatch run} in its own JVM, as a user starts it (the test's classpath standing in
 * for the jar), on the shared broker and registry, with its own state directory and log file.
 */
final class RunProcess implements AutoCloseable {

  private final Process process;
  private final Path log;

  private RunProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code run} for application and prefix {@code id}, state in {@code dir/state}, log in
   * {@code dir/run.log}; {@code kafka} are extra {@code --kafka KEY=VALUE} properties.
   */
  static RunProcess start(String id, int partitions, Path dir, List<String> kafka)
      throws IOException {
    Files.createDirectories(dir);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                PatchWatch.class.getName(),
                "run",
                "--bootstrap-servers",
                SharedKafka.bootstrapServers(),
                "--registry-url",
                SharedRegistry.url(),
                "--topic-prefix",
                id,
                "--application-id",
                id,
                "--partitions",
                String.valueOf(partitions),
                "--idle-timeout",
                "0",
                "--set",
                "state.dir=" + dir.resolve("state"),
                // several instances on one machine: no dashboard, whose port they would share
                "--set",
                "http.port=0"));
    for (String property : kafka) {
      command.add("--kafka");
      command.add(property);
    }
    Path log = dir.resolve("run.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new RunProcess(process, log);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no commit, no leaving the group. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops it as Ctrl-C does. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
