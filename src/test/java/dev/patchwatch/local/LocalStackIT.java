package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LocalStackIT {

  @TempDir Path tmp;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void shouldKeepTheDataDirectoryPrivateWithEverythingTheBrokerAndRegistryWrote() throws Exception {
    assumeTrue(Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class));
    // as an older version left it: readable by everyone
    Path dataDir = Files.createDirectory(tmp.resolve("data"));
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (LocalStack stack = LocalStack.start(dataDir, 0, 0, Optional.empty())) {
      assertThat(mode(dataDir)).isEqualTo("rwx------");
      assertThat(mode(dataDir.resolve("kafka"))).isEqualTo("rwx------");
      assertThat(mode(dataDir.resolve("registry"))).isEqualTo("rwx------");
      assertThat(dataDir.resolve("kafka/metadata/meta.properties")).exists();
      assertThat(dataDir.resolve("registry/apicurio.log")).exists();
    }
    assertThat(mode(dataDir)).isEqualTo("rwx------");
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
