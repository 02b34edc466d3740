package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors: one line, a non-zero exit, no stack trace; and --help on every command. */
class CommandLineTest {

  @TempDir Path dir;

  @Test
  void shouldOfferHelpOnEveryCommand() {
    for (String command : List.of("demo", "local", "run", "replay", "tail", "ingest", "schemas")) {
      Cli cli = Cli.run(command, "--help");
      assertThat(cli.exitCode()).as(command).isZero();
      assertThat(cli.out()).as(command).startsWith("Usage: patchwatch " + command);
    }
  }

  @Test
  void shouldRejectAMissingCommand() {
    Cli cli = Cli.run();
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).isEqualTo("error: a command is required (see 'patchwatch --help')\n");
  }

  @Test
  void shouldRejectAReplayOfAMissingFileInOneLine() {
    Cli cli =
        Cli.run(
            "replay",
            "--input",
            dir.resolve("nope.jsonl").toString(),
            "--output",
            dir.resolve("o").toString());
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err())
        .contains("cannot read --input")
        .contains("no such file")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void shouldRejectAReplayIntoAMissingDirectoryBeforeStartingAnything() throws Exception {
    Path input = Files.writeString(dir.resolve("in.jsonl"), "{}\n");
    Path output = dir.resolve("missing").resolve("out.jsonl");

    Cli cli = Cli.run("replay", "--input", input.toString(), "--output", output.toString());

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err().lines().toList())
        .containsExactly(
            "error: cannot write --output "
                + output
                + ": no directory "
                + dir.resolve("missing")
                + " (see 'patchwatch replay --help')");
  }

  @Test
  void shouldRejectBadPartitionCounts() {
    Cli cli = Cli.run("replay", "--input", "x", "--output", "y", "--partitions", "0");
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err())
        .isEqualTo("error: --partitions must be 1 to 64, got 0 (see 'patchwatch replay --help')\n");
    assertThat(Cli.run("demo", "--scale", "2").err())
        .isEqualTo("error: --scale must be in (0, 1], got 2.0 (see 'patchwatch demo --help')\n");
    Cli simulate = Cli.run("simulate", "--scale", "0");
    assertThat(simulate.exitCode()).isEqualTo(2);
    assertThat(simulate.err())
        .isEqualTo(
            "error: --scale must be in (0, 1], got 0.0 (see 'patchwatch simulate --help')\n");
  }

  @Test
  void shouldRejectAnUnknownIngestFormat() throws Exception {
    Path file = Files.writeString(dir.resolve("a.txt"), "x\n");
    Cli cli =
        Cli.run(
            "ingest",
            "--format",
            "xml",
            "--to-jsonl",
            dir.resolve("o.jsonl").toString(),
            file.toString());
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err().lines().toList()).hasSize(1);
    assertThat(cli.err()).contains("unknown input format \"xml\"").contains("shadowserver");
  }

  @Test
  void shouldRejectAnUnknownReplayOrImportFormatNamingAvro() throws Exception {
    Path file = Files.writeString(dir.resolve("a.txt"), "x\n");
    Cli replay =
        Cli.run("replay", "--input", file.toString(), "--format", "xml", "--output", "o.jsonl");
    Cli archiveImport = Cli.run("archive", "import", file.toString(), "--format", "xml");

    for (Cli cli : List.of(replay, archiveImport)) {
      assertThat(cli.exitCode()).isEqualTo(2);
      assertThat(cli.err().lines().toList()).hasSize(1);
      assertThat(cli.err())
          .contains(
              "unknown input format \"xml\"; known formats: avro, csv, jsonl, nmap, nuclei,"
                  + " shadowserver");
    }
  }

  @Test
  void shouldAcceptAShadowserverReplayUpToItsOutput() throws Exception {
    Path report = Files.writeString(dir.resolve("report.csv"), "\"timestamp\",\"ip\"\n");
    Path output = dir.resolve("missing").resolve("out.jsonl");

    Cli cli =
        Cli.run(
            "replay",
            "--input",
            report.toString(),
            "--format",
            "shadowserver",
            "--output",
            output.toString());

    // the format is known: the first complaint is the output's, before anything starts
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).startsWith("error: cannot write --output " + output);
    assertThat(Cli.run("replay", "--help").out()).contains("--format=FORMAT").contains("avro, csv");
  }

  @Test
  void shouldReportARuntimeFailureInOneLineWithExitCode1() {
    // nothing listens on port 9: the registry cannot be reached
    Cli cli =
        Cli.run(
            "tail",
            "daily",
            "--registry-url",
            "http://127.0.0.1:9/apis/ccompat/v7",
            "--bootstrap-servers",
            "127.0.0.1:9",
            "--kafka",
            "default.api.timeout.ms=2000");
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.err().lines().toList()).hasSize(1);
    assertThat(cli.err()).startsWith("error: ");
  }
}
