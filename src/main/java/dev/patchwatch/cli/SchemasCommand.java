package dev.patchwatch.cli;

import dev.patchwatch.registry.AvroCompatibility;
import dev.patchwatch.registry.CompatibilityLevel;
import dev.patchwatch.registry.CompatibilityResult;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.registry.RegistryUnreachableException;
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.registry.SchemaRegistryException;
import dev.patchwatch.registry.SubjectNotFoundException;
import dev.patchwatch.registry.SubjectSchema;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.SchemaParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code schemas}: the record schemas of {@code schemas/} and the schema registry. */
@Command(
    name = "schemas",
    mixinStandardHelpOptions = true,
    description = "The record schemas in schemas/ and the schema registry.",
    subcommands = {SchemasCommand.Check.class})
public final class SchemasCommand implements Runnable {

  static final String DEFAULT_REGISTRY_URL = "http://127.0.0.1:8081/apis/ccompat/v7";

  /**
   * Which topics each public record type is written to, as key or value (DESIGN section 4), by
   * topic name without the prefix. Internal records are never registered.
   */
  @Spec CommandSpec spec;

  private final Function<String, SchemaRegistry> registries;

  public SchemasCommand() {
    this(url -> ConfluentRegistryClient.builder(url).build());
  }

  /** For tests: the registry a URL stands for. */
  SchemasCommand(Function<String, SchemaRegistry> registries) {
    this.registries = registries;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: check");
  }

  /** The subjects of every record schema, by record, as the topics of a prefix name them. */
  private static Map<String, List<String>> subjectsByRecord(
      String topicPrefix, SchemaRegistry registry) {
    Map<String, List<String>> subjects = new LinkedHashMap<>();
    Topics.create(topicPrefix, TopologySettings.DEFAULT_APPLICATION_ID, registry)
        .subjects()
        .forEach(
            (subject, schema) ->
                subjects
                    .computeIfAbsent(schema.getFullName(), k -> new ArrayList<>())
                    .add(subject));
    return subjects;
  }

  /** {@code schemas check}: would the registry accept the schemas of {@code schemas/}? */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Checks each record schema in the schemas directory against the versions registered"
            + " under the subjects of the topics that carry it, with Avro's own compatibility"
            + " check, and prints one line per subject: OK, INCOMPATIBLE (with Avro's reasons) or"
            + " NOT REGISTERED.",
        "A subject that is not registered yet cannot conflict: it counts as a pass unless"
            + " --require-registered is given.",
        "Exit status: 0 all compatible, 1 otherwise (or the registry failed), 2 usage error."
      })
  static final class Check implements Callable<Integer> {

    @ParentCommand SchemasCommand parent;
    @Spec CommandSpec spec;

    @Option(
        names = "--registry-url",
        paramLabel = "URL",
        defaultValue = DEFAULT_REGISTRY_URL,
        description = "Confluent-API base URL of the registry (default: ${DEFAULT-VALUE}).")
    String registryUrl;

    @Option(
        names = "--level",
        paramLabel = "LEVEL",
        defaultValue = "BACKWARD",
        description =
            "Compatibility level to check: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})."
                + " A transitive level checks every registered version, the others the latest.")
    CompatibilityLevel level;

    @Option(
        names = "--schemas-dir",
        paramLabel = "DIR",
        defaultValue = "schemas",
        description = "Where the .avsc files are (default: ${DEFAULT-VALUE}).")
    Path schemasDir;

    @Option(
        names = "--topic-prefix",
        paramLabel = "PREFIX",
        defaultValue = "patchwatch",
        description = "Prefix of the topic names (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(
        names = "--require-registered",
        description = "Count a subject that is not registered as a failure.")
    boolean requireRegistered;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (!Files.isDirectory(schemasDir)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--schemas-dir " + schemasDir + " is not a directory");
      }
      SchemaRegistry registry = registry();
      Map<String, Schema> local;
      try {
        local = parse(schemasDir);
      } catch (IOException | SchemaParseException e) {
        err.println("error: cannot read the schemas in " + schemasDir + ": " + e.getMessage());
        err.flush();
        return 1;
      }
      Tally tally;
      try {
        tally = checkAll(registry, local, out);
      } catch (RegistryUnreachableException e) {
        out.flush();
        err.println("error: " + e.getMessage());
        err.flush();
        return 1;
      }
      out.printf(
          Locale.ROOT,
          "%d compatible, %d incompatible or failed, %d not registered (level %s)%n",
          tally.ok,
          tally.failed,
          tally.unregistered,
          level);
      out.flush();
      return tally.failed > 0 || (requireRegistered && tally.unregistered > 0) ? 1 : 0;
    }

    private SchemaRegistry registry() {
      try {
        return parent.registries.apply(registryUrl);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
    }

    /** How many subjects passed, failed and are not registered. */
    private static final class Tally {
      int ok;
      int failed;
      int unregistered;
    }

    /** Checks the local schema of every subject, one line each. */
    private Tally checkAll(SchemaRegistry registry, Map<String, Schema> local, PrintWriter out) {
      Tally tally = new Tally();
      for (Map.Entry<String, List<String>> entry :
          subjectsByRecord(topicPrefix, registry).entrySet()) {
        Schema schema = local.get(entry.getKey());
        for (String subject : entry.getValue()) {
          if (schema == null) {
            out.printf(
                Locale.ROOT,
                "%-14s %s: no record %s in %s%n",
                "MISSING",
                subject,
                entry.getKey(),
                schemasDir);
            tally.failed++;
            continue;
          }
          switch (check(registry, subject, schema, out)) {
            case OK -> tally.ok++;
            case NOT_REGISTERED -> tally.unregistered++;
            case INCOMPATIBLE -> tally.failed++;
          }
        }
      }
      return tally;
    }

    private Outcome check(SchemaRegistry registry, String subject, Schema schema, PrintWriter out) {
      List<SubjectSchema> previous = new ArrayList<>();
      try {
        List<Integer> versions;
        try {
          versions = registry.versions(subject);
        } catch (SubjectNotFoundException e) {
          versions = List.of();
        }
        if (versions.isEmpty()) {
          out.printf(Locale.ROOT, "%-14s %s%n", "NOT REGISTERED", subject);
          return Outcome.NOT_REGISTERED;
        }
        for (int version :
            level.transitive()
                ? versions
                : versions.subList(versions.size() - 1, versions.size())) {
          previous.add(registry.version(subject, version));
        }
      } catch (RegistryUnreachableException e) {
        throw e;
      } catch (SchemaRegistryException e) {
        out.printf(
            Locale.ROOT, "%-14s %s: the registry failed: %s%n", "ERROR", subject, e.getMessage());
        return Outcome.INCOMPATIBLE;
      }
      CompatibilityResult result = AvroCompatibility.check(level, schema, previous);
      String against =
          previous.size() == 1
              ? "version " + previous.get(0).version()
              : previous.size() + " versions";
      if (result.compatible()) {
        out.printf(Locale.ROOT, "%-14s %s (%s, %s)%n", "OK", subject, level, against);
        return Outcome.OK;
      }
      out.printf(
          Locale.ROOT,
          "%-14s %s (%s, %s): %s%n",
          "INCOMPATIBLE",
          subject,
          level,
          against,
          String.join("; ", result.messages()));
      return Outcome.INCOMPATIBLE;
    }

    /** Every named schema of the directory's .avsc files, by full name, references resolved. */
    private static Map<String, Schema> parse(Path dir) throws IOException {
      SchemaParser parser = new SchemaParser();
      List<SchemaParser.ParseResult> results = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file :
            files.filter(f -> f.getFileName().toString().endsWith(".avsc")).sorted().toList()) {
          results.add(parser.parse(file));
        }
      }
      Map<String, Schema> byName = new HashMap<>();
      for (SchemaParser.ParseResult result : results) {
        Schema schema = parser.resolve(result);
        if (schema.getType() == Schema.Type.RECORD) {
          byName.put(schema.getFullName(), schema);
        }
      }
      return byName;
    }

    private enum Outcome {
      OK,
      INCOMPATIBLE,
      NOT_REGISTERED
    }
  }
}
