package dev.patchwatch.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local stack's users and their random passwords, one file {@code <user>.password} each (mode
 * 600) in a private {@code credentials/} directory, made once and read back on every later start:
 * the broker seeds them when it formats its directory and never learns new ones.
 */
public final class LocalCredentials {

  /** The super user. */
  public static final String ADMIN = "admin";

  /** The Kafka Streams application. */
  public static final String APPLICATION = "patchwatch";

  /** Publishes scans. */
  public static final String SCANNER = "scanner";

  /** Reads results. */
  public static final String READER = "reader";

  public static final List<String> USERS = List.of(ADMIN, APPLICATION, SCANNER, READER);

  private static final int PASSWORD_BYTES = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final Map<String, String> passwords;

  private LocalCredentials(Path dir, Map<String, String> passwords) {
    this.dir = dir;
    this.passwords = Map.copyOf(passwords);
  }

  /** Whether {@code dir} holds credentials already. */
  public static boolean exist(Path dir) {
    return Files.exists(dir.resolve(ADMIN + ".password"));
  }

  /**
   * Reads the passwords in {@code dir}, or creates the directory (700) and a password for each of
   * {@link #USERS} (600) when it holds none.
   */
  public static LocalCredentials createOrLoad(Path dir) {
    Path private_ = DataDirectory.preparePrivate(dir, "credentials directory").dir();
    Map<String, String> passwords = new LinkedHashMap<>();
    try {
      for (String user : USERS) {
        Path file = private_.resolve(user + ".password");
        if (!Files.exists(file)) {
          writePrivate(file, newPassword() + "\n");
        }
        passwords.put(user, Files.readString(file, StandardCharsets.UTF_8).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the credentials in " + private_, e);
    }
    return new LocalCredentials(private_, passwords);
  }

  /**
   * Writes {@code text} to {@code file}, created with mode 600 before any byte goes in, so the
   * secret is never readable by others even for an instant.
   */
  public static void writePrivate(Path file, String text) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    try {
      Files.createFile(
          temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(temp);
    }
    Files.writeString(temp, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String newPassword() {
    byte[] bytes = new byte[PASSWORD_BYTES];
    RANDOM.nextBytes(bytes);
    // URL-safe base64 without padding: letters, digits, '-' and '_', safe inside JAAS quotes
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public Path dir() {
    return dir;
  }

  public String password(String user) {
    String password = passwords.get(user);
    if (password == null) {
      throw new IllegalArgumentException("no such local user: " + user);
    }
    return password;
  }

  /** What the embedded broker needs to authenticate these users. */
  public EmbeddedKafka.Auth brokerAuth() {
    return brokerAuth(Optional.empty());
  }

  /** As {@link #brokerAuth()}, with TLS on the client listener when {@code tls} is given. */
  public EmbeddedKafka.Auth brokerAuth(Optional<EmbeddedKafka.Tls> tls) {
    return new EmbeddedKafka.Auth(ADMIN, passwords, tls);
  }
}
