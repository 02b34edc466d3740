package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ingest --to-jsonl}: real-shaped scanner files to canonical events, offline. */
class IngestCommandTest {

  @TempDir Path dir;

  @Test
  void shouldConvertShadowserverReportsToCanonicalEvents() throws Exception {
    Path out = dir.resolve("events.jsonl");
    Cli cli =
        Cli.run(
            "ingest",
            "--format",
            "shadowserver",
            "--to-jsonl",
            out.toString(),
            resource("shadowserver-exchange.csv"));
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines)
        .isNotEmpty()
        .allSatisfy(l -> assertThat(l).contains("\"scanner\":\"shadowserver\""));
    assertThat(cli.out()).startsWith("converted " + lines.size() + " events");
  }

  @Test
  void shouldConvertEveryFormatAndListTheRecordsItCannotMap() throws Exception {
    for (String[] input :
        new String[][] {
          {"jsonl", "events.jsonl"},
          {"csv", "events.csv"},
          {"nuclei", "nuclei.jsonl"},
          {"nmap", "nmap-proxylogon.xml"}
        }) {
      Path out = dir.resolve(input[0] + ".out.jsonl");
      Cli cli =
          Cli.run("ingest", "--format", input[0], "--to-jsonl", out.toString(), resource(input[1]));
      assertThat(cli.exitCode()).as(input[0] + ": " + cli.err()).isZero();
      assertThat(Files.readAllLines(out)).as(input[0]).isNotEmpty();
      // every sample holds bad records on purpose: each is listed with its file and line
      assertThat(cli.err()).as(input[0]).contains(input[1] + ":");
      assertThat(cli.out()).as(input[0]).containsPattern("rejected [1-9][0-9]* records");
    }
  }

  @Test
  void shouldRefuseAWatermarkWithoutABroker() throws Exception {
    Cli cli =
        Cli.run(
            "ingest",
            "--format",
            "jsonl",
            "--to-jsonl",
            dir.resolve("o").toString(),
            "--watermark",
            resource("events.jsonl"));
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--watermark needs a broker");
  }

  private static String resource(String name) throws Exception {
    return Path.of(IngestCommandTest.class.getResource("/formats/" + name).toURI()).toString();
  }

  private static final String VALID =
      "{\"scanner\":\"s\",\"observedAt\":\"2021-03-01T10:00:00Z\",\"ip\":\"192.0.2.1\","
          + "\"vulnerability\":\"CVE-1\",\"status\":\"PATCHED\"";

  @Test
  void shouldRejectALoneSurrogateAndWriteOnlyWholeLines() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, VALID + ",\"hostname\":\"\\udc00x\"}\n" + VALID + "}\n");
    Path out = dir.resolve("out.jsonl");

    Cli cli = Cli.run("ingest", "--format", "jsonl", "--to-jsonl", out.toString(), in.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.err())
        .contains(
            "in.jsonl:1: INVALID_FIELD: hostname: \"\\udc00x\" is not valid Unicode (unpaired"
                + " surrogate)");
    assertThat(Files.readString(out)).isEqualTo(canonical() + "\n");
    assertThat(dir.resolve("out.jsonl.part")).doesNotExist();
  }

  @Test
  void shouldRejectLinesOverMaxEventBytesAsTooLargeAndGoOn() throws Exception {
    Path in = dir.resolve("in.jsonl");
    String big = VALID + ",\"product\":\"" + "p".repeat(1100) + "\"}";
    Files.writeString(in, big + "\n" + VALID + "}\n");
    Path out = dir.resolve("out.jsonl");

    Cli cli =
        Cli.run(
            "ingest",
            "--format",
            "jsonl",
            "--max-event-bytes",
            "1024",
            "--to-jsonl",
            out.toString(),
            in.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.err()).containsPattern("in.jsonl:1: TOO_LARGE: line is 1\\d{3} bytes");
    assertThat(Files.readString(out)).isEqualTo(canonical() + "\n");
    assertThat(cli.out()).contains("converted 1 events from 1 file(s), rejected 1 records");
  }

  @Test
  void shouldLeaveNoOutputWhenAFileCannotBeRead() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, VALID + "}\n");
    Path notAFile = Files.createDirectory(dir.resolve("later"));
    Path out = dir.resolve("out.jsonl");

    Cli cli =
        Cli.run(
            "ingest",
            "--format",
            "jsonl",
            "--to-jsonl",
            out.toString(),
            in.toString(),
            notAFile.toString());

    assertThat(cli.exitCode()).isNotZero();
    assertThat(out).doesNotExist();
    assertThat(dir.resolve("out.jsonl.part")).doesNotExist();
  }

  private static String canonical() {
    return "{\"scanner\":\"s\",\"observedAt\":\"2021-03-01T10:00:00.000Z\",\"ip\":\"192.0.2.1\","
        + "\"vulnerability\":\"CVE-1\",\"status\":\"PATCHED\",\"country\":\"ZZ\",\"asn\":0,"
        + "\"compromised\":false}";
  }
}
