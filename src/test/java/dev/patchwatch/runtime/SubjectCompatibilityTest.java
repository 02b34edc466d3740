package dev.patchwatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.registry.CompatibilityLevel;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubjectCompatibilityTest {

  @Test
  void shouldGiveSubjectsWithoutALevelTheGlobalOneAndKeepChosenOnes() {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    registry.setCompatibility(CompatibilityLevel.FULL);
    registry.setCompatibility("chosen", CompatibilityLevel.FORWARD);
    registry.setCompatibility("none", CompatibilityLevel.NONE);

    SubjectCompatibility.pin(registry, List.of("unset", "chosen", "none"));

    assertThat(registry.compatibility("unset")).contains(CompatibilityLevel.FULL);
    assertThat(registry.compatibility("chosen")).contains(CompatibilityLevel.FORWARD);
    // indistinguishable from Apicurio's answer for a subject without a level of its own
    assertThat(registry.compatibility("none")).contains(CompatibilityLevel.FULL);
  }
}
