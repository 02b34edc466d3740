package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.registry.CompatibilityLevel;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SchemasCommandTest {

  @TempDir Path schemas;

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final List<String> urls = new ArrayList<>();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli =
        new CommandLine(
            new SchemasCommand(
                url -> {
                  urls.add(url);
                  return registry;
                }));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private void copySchemas() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("schemas"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
        Files.copy(file, schemas.resolve(file.getFileName()));
      }
    }
  }

  /** Registers today's schemas under every subject, as a running PatchWatch would have. */
  static void registerCurrent(dev.patchwatch.registry.SchemaRegistry registry, String prefix) {
    dev.patchwatch.topology.Topics.create(prefix, prefix, registry)
        .subjects()
        .forEach(registry::register);
  }

  private void edit(String file, String from, String to) throws IOException {
    Path path = schemas.resolve(file);
    String text = Files.readString(path);
    assertThat(text).contains(from);
    Files.writeString(path, text.replace(from, to));
  }

  private List<String> lines() {
    return out.toString().lines().toList();
  }

  @Test
  void shouldPassWhenEverySubjectHoldsTheSameSchemas() throws IOException {
    copySchemas();
    registerCurrent(registry, "patchwatch");

    int code = run("check", "--schemas-dir", schemas.toString());

    assertThat(code).as(out + "" + err).isZero();
    assertThat(lines())
        .filteredOn(line -> line.startsWith("OK "))
        .hasSize(14)
        .anySatisfy(
            line -> assertThat(line).contains("patchwatch.scans-value (BACKWARD, version 1)"))
        .anySatisfy(line -> assertThat(line).contains("patchwatch.exposure.daily-key"));
    assertThat(urls).containsExactly(SchemasCommand.DEFAULT_REGISTRY_URL);
  }

  @Test
  void shouldReportARequiredFieldAddedWithoutDefaultUnderBackward() throws IOException {
    copySchemas();
    registerCurrent(registry, "patchwatch");
    edit(
        "ScanEvent.avsc",
        "\"fields\": [",
        "\"fields\": [{\"name\": \"sensor\", \"type\": \"string\"},");

    int backward = run("check", "--schemas-dir", schemas.toString());
    String backwardOut = out.toString();
    int forward = run("check", "--schemas-dir", schemas.toString(), "--level", "FORWARD");

    assertThat(backward).isEqualTo(1);
    assertThat(backwardOut.lines())
        .filteredOn(line -> line.startsWith("INCOMPATIBLE "))
        .singleElement()
        .asString()
        .contains("patchwatch.scans-value")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
        .contains("sensor");
    // an added field only breaks old readers' defaults going one way
    assertThat(forward).isZero();
  }

  @Test
  void shouldReportARenamedRecord() throws IOException {
    copySchemas();
    registerCurrent(registry, "patchwatch");
    edit("Rejected.avsc", "\"name\": \"Rejected\"", "\"name\": \"Refused\"");
    edit("ScanEvent.avsc", "\"name\": \"ScanEvent\"", "\"name\": \"Scan\"");

    int code = run("check", "--schemas-dir", schemas.toString(), "--level", "NONE");

    // under NONE anything goes, but two record types the mapping knows are now missing
    assertThat(code).isEqualTo(1);
    assertThat(lines())
        .anySatisfy(
            line -> assertThat(line).startsWith("MISSING").contains("patchwatch.rejected-value"));
  }

  @Test
  void shouldRefuseARenamedRecordUnderBackward() throws IOException {
    copySchemas();
    Schema renamed =
        new Schema.Parser()
            .parse(ScanEvent.getClassSchema().toString().replace("\"ScanEvent\"", "\"Scan\""));
    registry.register("patchwatch.scans-value", renamed);

    int code = run("check", "--schemas-dir", schemas.toString());

    assertThat(code).isEqualTo(1);
    assertThat(lines())
        .filteredOn(line -> line.startsWith("INCOMPATIBLE "))
        .singleElement()
        .asString()
        .contains("NAME_MISMATCH");
  }

  @Test
  void shouldCheckEveryVersionForATransitiveLevel() throws IOException {
    copySchemas();
    registry.setCompatibility(CompatibilityLevel.NONE);
    // v1 had an int field x, v2 dropped it; today's schema brings x back as a string
    registry.register(
        "patchwatch.scans-value",
        withField(ScanEvent.getClassSchema(), "{\"name\": \"x\", \"type\": \"int\"}"));
    registry.register("patchwatch.scans-value", ScanEvent.getClassSchema());
    edit(
        "ScanEvent.avsc",
        "\"fields\": [",
        "\"fields\": [{\"name\": \"x\", \"type\": \"string\", \"default\": \"\"},");

    int latestOnly = run("check", "--schemas-dir", schemas.toString(), "--level", "BACKWARD");
    int transitive =
        run("check", "--schemas-dir", schemas.toString(), "--level", "BACKWARD_TRANSITIVE");

    assertThat(latestOnly).isZero();
    assertThat(transitive).isEqualTo(1);
    assertThat(lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("INCOMPATIBLE")
                    .contains("version 1")
                    .contains("TYPE_MISMATCH"));
  }

  @Test
  void shouldPassSubjectsNotRegisteredYetUnlessRequired() throws IOException {
    copySchemas();
    registry.register("patchwatch.scans-value", ScanEvent.getClassSchema());

    int lenient = run("check", "--schemas-dir", schemas.toString());
    int strict = run("check", "--schemas-dir", schemas.toString(), "--require-registered");

    assertThat(lenient).isZero();
    assertThat(strict).isEqualTo(1);
    assertThat(lines())
        .contains("NOT REGISTERED patchwatch.rejected-value")
        .anySatisfy(line -> assertThat(line).startsWith("OK").contains("patchwatch.scans-value"));
  }

  @Test
  void shouldUseTheTopicPrefix() throws IOException {
    copySchemas();
    registerCurrent(registry, "acme");

    int code =
        run(
            "check",
            "--schemas-dir",
            schemas.toString(),
            "--topic-prefix",
            "acme",
            "--require-registered",
            "--registry-url",
            "http://registry:8081");

    assertThat(code).as(out.toString()).isZero();
    assertThat(lines()).anySatisfy(line -> assertThat(line).contains("acme.counts.live-value"));
    assertThat(urls).containsExactly("http://registry:8081");
  }

  @Test
  void shouldExitTwoOnUsageErrors() throws IOException {
    copySchemas();

    assertThat(run("check", "--schemas-dir", schemas.toString(), "--level", "SIDEWAYS"))
        .isEqualTo(2);
    assertThat(run("check", "--schemas-dir", schemas.resolve("missing").toString())).isEqualTo(2);
    assertThat(run("check", "--no-such-option")).isEqualTo(2);
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString())
        .contains("SIDEWAYS")
        .contains("not a directory")
        .contains("a subcommand is required");
  }

  @Test
  void shouldFailOnAnUnreachableRegistryWithOneLine() throws IOException {
    copySchemas();
    CommandLine cli =
        new CommandLine(
            new SchemasCommand(
                url ->
                    dev.patchwatch.registry.ConfluentRegistryClient.builder(url)
                        .maxAttempts(1)
                        .build()));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));

    int code =
        cli.execute(
            "check",
            "--schemas-dir",
            schemas.toString(),
            "--registry-url",
            "http://127.0.0.1:1/apis/ccompat/v7");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .startsWith(
            "error: cannot reach the schema registry at http://127.0.0.1:1/apis/ccompat/v7");
  }

  private static Schema withField(Schema schema, String field) {
    return new Schema.Parser()
        .parse(schema.toString().replace("\"fields\":[", "\"fields\":[" + field + ","));
  }
}
