package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRegistryHomeTest {

  @TempDir Path dir;

  private Path distribution(String name) throws Exception {
    Path home = Files.createDirectories(dir.resolve(name));
    Files.writeString(home.resolve("apicurio-registry-app-2.6.13.Final-runner.jar"), "");
    return home;
  }

  @Test
  void shouldFindTheDistributionNextToTheJar() throws Exception {
    Path home = distribution("apicurio");

    assertThat(
            LocalRegistry.defaultHome(
                Optional.empty(), Optional.empty(), Optional.of(dir.resolve("patchwatch.jar"))))
        .isEqualTo(home);
    assertThat(
            LocalRegistry.defaultHome(
                Optional.empty(), Optional.empty(), Optional.of(dir.resolve("classes"))))
        .isEqualTo(home);
  }

  @Test
  void shouldPreferThePropertyThenTheEnvironment() throws Exception {
    distribution("apicurio");
    Path fromProperty = distribution("property");
    Path fromEnvironment = distribution("environment");
    Optional<Path> jar = Optional.of(dir.resolve("patchwatch.jar"));

    assertThat(
            LocalRegistry.defaultHome(
                Optional.of(fromProperty.toString()), Optional.of(fromEnvironment.toString()), jar))
        .isEqualTo(fromProperty);
    assertThat(
            LocalRegistry.defaultHome(
                Optional.of(" "), Optional.of(fromEnvironment.toString()), jar))
        .isEqualTo(fromEnvironment);
  }

  @Test
  void shouldSayHowToGetTheDistributionWhenItIsMissing() {
    assertThatThrownBy(
            () ->
                LocalRegistry.defaultHome(
                    Optional.empty(), Optional.empty(), Optional.of(dir.resolve("patchwatch.jar"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.resolve("apicurio").toString())
        .hasMessageContaining("mvn package")
        .hasMessageContaining("PATCHWATCH_APICURIO_HOME");
  }

  @Test
  void shouldNameTheVariableThatPointsNowhere() {
    assertThatThrownBy(
            () ->
                LocalRegistry.defaultHome(
                    Optional.empty(),
                    Optional.of(dir.resolve("nope").toString()),
                    Optional.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("environment variable PATCHWATCH_APICURIO_HOME");
  }
}
