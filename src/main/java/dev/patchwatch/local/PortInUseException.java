package dev.patchwatch.local;

/** A port the local stack was told to listen on is taken, found before anything was started. */
public final class PortInUseException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final int port;

  PortInUseException(String host, int port, Throwable cause) {
    super("port " + port + " on " + host + " is in use (another local stack?)", cause);
    this.port = port;
  }

  public int port() {
    return port;
  }
}
