package dev.patchwatch.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Ports on 127.0.0.1, the only address the local stack listens on. */
final class Ports {

  static final String HOST = "127.0.0.1";

  private Ports() {}

  /**
   * A port free right now; the small race until the server binds it is acceptable on a local
   * machine.
   */
  static int free() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    }
  }

  /**
   * Checks before starting a server on {@code port}. Why: Kafka finds a taken port late, after its
   * controller has started, and logs it as ERROR with stack traces on the way.
   *
   * @throws PortInUseException if something listens on it
   */
  static int requireFree(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
    }
    try (ServerSocket socket = new ServerSocket()) {
      // as the servers do, so a port left in TIME_WAIT by a stopped stack counts as free
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 1);
      return port;
    } catch (IOException e) {
      throw new PortInUseException(HOST, port, e);
    }
  }
}
