package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.local.LocalRegistry;
import dev.patchwatch.registry.ConfluentRegistryClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code schemas check} against a real Apicurio Registry. */
class SchemasCheckRegistryIT {

  @TempDir Path registryDir;
  @TempDir Path schemas;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldPassTheRegisteredSchemasAndCatchABreakingChange() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("schemas"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
        Files.copy(file, schemas.resolve(file.getFileName()));
      }
    }
    try (LocalRegistry registry =
        LocalRegistry.start(LocalRegistry.defaultHome(), registryDir, 0)) {
      SchemasCommandTest.registerCurrent(
          ConfluentRegistryClient.builder(registry.url()).build(), "patchwatch");
      StringWriter out = new StringWriter();

      int unchanged = check(registry.url(), out);
      Path scanEvent = schemas.resolve("ScanEvent.avsc");
      Files.writeString(
          scanEvent,
          Files.readString(scanEvent)
              .replace(
                  "\"fields\": [", "\"fields\": [{\"name\": \"sensor\", \"type\": \"string\"},"));
      StringWriter afterChange = new StringWriter();
      int changed = check(registry.url(), afterChange);

      assertThat(unchanged).as(out.toString()).isZero();
      assertThat(out.toString().lines().filter(line -> line.startsWith("OK "))).hasSize(14);
      assertThat(changed).isEqualTo(1);
      assertThat(afterChange.toString())
          .contains("INCOMPATIBLE   patchwatch.scans-value")
          .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
    }
  }

  private int check(String url, StringWriter out) {
    CommandLine cli = new CommandLine(new SchemasCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    return cli.execute(
        "check",
        "--registry-url",
        url,
        "--schemas-dir",
        schemas.toString(),
        "--require-registered");
  }
}
