package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.patchwatch.registry.CompatibilityLevel;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.registry.SchemaRegistryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
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

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void shouldLetClientsPinASubjectToTheGlobalLevelThroughTheGateUnderAuth() {
    // Pipeline.provision pins every subject to the global level; local --auth failed at start when
    // the gate refused that
    EmbeddedKafka.Auth auth = new EmbeddedKafka.Auth("admin", Map.of("admin", "admin-secret"));
    try (LocalStack stack =
        LocalStack.start(tmp.resolve("auth"), 0, 0, Optional.empty(), Optional.of(auth))) {
      ConfluentRegistryClient registry =
          ConfluentRegistryClient.builder(stack.registryUrl()).build();
      registry.register("pin-value", Schema.create(Schema.Type.STRING));
      assertThat(registry.compatibility()).isEqualTo(CompatibilityLevel.BACKWARD);

      registry.setCompatibility("pin-value", CompatibilityLevel.BACKWARD);

      assertThat(registry.compatibility("pin-value")).contains(CompatibilityLevel.BACKWARD);
      assertThatThrownBy(() -> registry.setCompatibility("pin-value", CompatibilityLevel.NONE))
          .isInstanceOf(SchemaRegistryException.class)
          .hasMessageContaining("403");
      assertThatThrownBy(() -> registry.setCompatibility(CompatibilityLevel.BACKWARD))
          .isInstanceOf(SchemaRegistryException.class)
          .hasMessageContaining("403");
      assertThat(registry.compatibility("pin-value")).contains(CompatibilityLevel.BACKWARD);
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
