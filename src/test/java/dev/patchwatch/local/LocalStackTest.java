package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks made before anything starts: no broker is needed to see them refuse. */
class LocalStackTest {

  @TempDir Path dataDir;

  @Test
  void shouldRefuseATakenKafkaPortBeforeStartingAnything() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> LocalStack.start(dataDir, port, 0, Optional.empty()))
          .isInstanceOfSatisfying(
              PortInUseException.class, e -> assertThat(e.port()).isEqualTo(port))
          .hasMessage("port " + port + " on 127.0.0.1 is in use (another local stack?)");
    }
    assertThat(dataDir.resolve("kafka")).doesNotExist();
  }

  @Test
  void shouldRefuseATakenRegistryPortBeforeStartingTheBroker() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> LocalStack.start(dataDir, 0, port, Optional.empty()))
          .isInstanceOfSatisfying(
              PortInUseException.class, e -> assertThat(e.port()).isEqualTo(port));
    }
    assertThat(dataDir.resolve("kafka")).doesNotExist();
  }
}
