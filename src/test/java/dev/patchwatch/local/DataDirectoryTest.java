package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

  @TempDir Path tmp;

  @BeforeEach
  void requirePosix() throws IOException {
    assumeTrue(Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class));
  }

  @Test
  void shouldCreateAMissingDirectoryPrivateAndItsParentsAsUsual() throws IOException {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dir = tmp.resolve("parent/data");

    DataDirectory.Prepared prepared = DataDirectory.preparePrivate(dir, "--data-dir");

    assertThat(prepared.dir()).isEqualTo(dir.toAbsolutePath());
    assertThat(prepared.tightenedFrom()).isEmpty();
    assertThat(mode(dir)).isEqualTo("rwx------");
    assertThat(mode(tmp.resolve("parent"))).isNotEqualTo("rwx------");
  }

  @Test
  void shouldTightenAnExistingDirectoryAndSayWhatItWas() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

    DataDirectory.Prepared prepared = DataDirectory.preparePrivate(dir, "--data-dir");

    assertThat(prepared.tightenedFrom()).contains("rwxr-xr-x");
    assertThat(mode(dir)).isEqualTo("rwx------");
  }

  @Test
  void shouldLeaveAPrivateDirectoryAloneAndSayNothing() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));

    assertThat(DataDirectory.preparePrivate(dir, "--data-dir").tightenedFrom()).isEmpty();
    assertThat(mode(dir)).isEqualTo("rwx------");
  }

  @Test
  void shouldSayAFileIsNotADirectory() throws IOException {
    Path file = Files.createFile(tmp.resolve("hostname"));

    assertThatThrownBy(() -> DataDirectory.preparePrivate(file, "--data-dir"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("--data-dir " + file + " is not a directory");
  }

  @Test
  void shouldSayWhyADirectoryCannotBeCreated() throws IOException {
    Path file = Files.createFile(tmp.resolve("hostname"));
    Path below = file.resolve("data");

    assertThatThrownBy(() -> DataDirectory.preparePrivate(below, "--data-dir"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "--data-dir "
                + below
                + " cannot be created: "
                + file
                + " exists and is not a directory");
  }

  @Test
  void shouldSayADirectoryIsNotWritable() throws IOException {
    // root may write anywhere: only an ordinary user can see the refusal
    assumeTrue(!"root".equals(System.getProperty("user.name")));
    Path dir = Files.createDirectory(tmp.resolve("read-only"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
    try {
      assertThatThrownBy(() -> DataDirectory.preparePrivate(dir, "--data-dir"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("--data-dir " + dir + " is not writable");
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
