package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {

  private static final Schema V1 = GenericAvroSerdeTest.V1;
  private static final Schema V2 = GenericAvroSerdeTest.V2;
  private static final Schema REQUIRED_ADDED = GenericAvroSerdeTest.REQUIRED_ADDED;

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  @Test
  void shouldGiveOneSchemaOneIdAcrossSubjects() {
    int first = registry.register("a-value", V1);
    int again = registry.register("a-value", V1);
    int elsewhere = registry.register("b-value", V1);

    assertThat(again).isEqualTo(first);
    assertThat(elsewhere).isEqualTo(first);
    assertThat(registry.versions("a-value")).containsExactly(1);
    assertThat(registry.lookup("b-value", V1)).contains(new SubjectSchema("b-value", 1, first, V1));
    assertThat(registry.lookup("b-value", V2)).isEmpty();
    assertThat(registry.lookup("c-value", V1)).isEmpty();
  }

  @Test
  void shouldRefuseAnIncompatibleSchemaUnderBackwardByDefault() {
    registry.register("a-value", V1);

    assertThat(registry.compatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    assertThat(registry.testCompatibility("a-value", REQUIRED_ADDED).compatible()).isFalse();
    assertThatThrownBy(() -> registry.register("a-value", REQUIRED_ADDED))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("owner")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
    assertThat(registry.latest("a-value").schema()).isEqualTo(V1);
  }

  @Test
  void shouldApplyTheSubjectsOwnLevel() {
    registry.register("a-value", V1);
    registry.setCompatibility("a-value", CompatibilityLevel.NONE);

    registry.register("a-value", REQUIRED_ADDED);

    assertThat(registry.compatibility("a-value")).contains(CompatibilityLevel.NONE);
    assertThat(registry.compatibility("b-value")).isEmpty();
    assertThat(registry.latest("a-value")).isEqualTo(registry.version("a-value", 2));
    assertThat(registry.version("a-value", 2).schema()).isEqualTo(REQUIRED_ADDED);
  }

  @Test
  void shouldThrowTheConfluentNotFoundErrors() {
    registry.register("a-value", V1);

    assertThatThrownBy(() -> registry.latest("nope")).isInstanceOf(SubjectNotFoundException.class);
    assertThatThrownBy(() -> registry.version("a-value", 2))
        .isInstanceOf(VersionNotFoundException.class);
    assertThatThrownBy(() -> registry.schemaById(99)).isInstanceOf(SchemaNotFoundException.class);
  }
}
