package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code local}'s refusals, which all come before a broker starts. */
class LocalCommandTest {

  @TempDir Path tmp;

  @Test
  void shouldSayADataDirectoryThatIsAFileIsNotADirectory() throws Exception {
    Path file = Files.writeString(tmp.resolve("hostname"), "box\n");

    Cli cli = Cli.run("local", "--data-dir", file.toString());

    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.err()).isEqualTo("error: --data-dir " + file + " is not a directory\n");
  }

  @Test
  void shouldSayWhyADataDirectoryCannotBeCreated() throws Exception {
    Path file = Files.writeString(tmp.resolve("hostname"), "box\n");

    Cli cli = Cli.run("local", "--data-dir", file.resolve("data").toString());

    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.err())
        .isEqualTo(
            "error: --data-dir "
                + file.resolve("data")
                + " cannot be created: "
                + file
                + " exists and is not a directory\n");
  }

  @Test
  void shouldRefuseTlsWithoutAuthOnOneLineBeforeMakingAnything() {
    Path data = tmp.resolve("data");

    Cli cli = Cli.run("local", "--tls", "--data-dir", data.toString());

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err())
        .isEqualTo(
            "error: --tls needs --auth: TLS is added to the authenticated listener (see"
                + " 'patchwatch local --help')\n");
    assertThat(data).doesNotExist();
  }

  @Test
  void shouldNameTheRegistryPortFlagWhenThatPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      Cli cli =
          Cli.run(
              "local",
              "--data-dir",
              tmp.resolve("data").toString(),
              "--kafka-port",
              "0",
              "--registry-port",
              String.valueOf(port));

      assertThat(cli.exitCode()).isEqualTo(1);
      assertThat(cli.err())
          .isEqualTo(
              "error: port "
                  + port
                  + " on 127.0.0.1 is in use (another local stack?): stop what listens there, or"
                  + " choose another with --registry-port\n");
    }
    assertThat(tmp.resolve("data/kafka")).doesNotExist();
  }
}
