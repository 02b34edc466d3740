package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCredentialsTest {

  @TempDir Path dir;

  @Test
  void shouldCreatePrivateRandomPasswordsOnceAndReadThemBack() throws Exception {
    Path credentials = dir.resolve("credentials");
    LocalCredentials first = LocalCredentials.createOrLoad(credentials);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)))
        .isEqualTo("rwx------");
    for (String user : LocalCredentials.USERS) {
      Path file = credentials.resolve(user + ".password");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(first.password(user)).matches("[A-Za-z0-9_-]{32}");
    }
    assertThat(LocalCredentials.USERS.stream().map(first::password).distinct().count())
        .isEqualTo(LocalCredentials.USERS.size());

    LocalCredentials again = LocalCredentials.createOrLoad(credentials);
    for (String user : LocalCredentials.USERS) {
      assertThat(again.password(user)).isEqualTo(first.password(user));
    }
    assertThat(again.brokerAuth().admin()).isEqualTo(LocalCredentials.ADMIN);
    assertThat(again.brokerAuth().passwords()).hasSize(4);
  }

  @Test
  void shouldWriteSecretsPrivateFromTheFirstByte() throws Exception {
    Path file = dir.resolve("secret.properties");
    LocalCredentials.writePrivate(file, "a=1\n");
    LocalCredentials.writePrivate(file, "a=2\n");
    assertThat(Files.readString(file)).isEqualTo("a=2\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }
}
