package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.registry.PortableSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/**
 * Each {@code schemas/*.avsc} file stands on its own for tools in any language, and says exactly
 * what is registered: the generated class's schema without its Java-only properties. A type that
 * several files define (ScanStatus in ScanEvent.avsc and in ScanStatus.avsc) is defined the same
 * way in each, or the comparison with the one generated class fails.
 */
class SchemaFilesTest {

  private static final Path SCHEMAS = Path.of("schemas");

  @Test
  void shouldParseEachFileOnItsOwnAsTheGeneratedClassWithoutJavaProperties() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(SCHEMAS)) {
      files = list.filter(f -> f.toString().endsWith(".avsc")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(9);
    for (Path file : files) {
      Schema alone = new Schema.Parser().parse(file.toFile());
      Class<?> generated = SpecificData.get().getClass(alone);
      assertThat(generated).as("generated class of %s", file).isNotNull();
      Schema classSchema = SpecificData.get().getSchema(generated);
      assertThat(alone).as(file.toString()).isEqualTo(PortableSchema.of(classSchema));
    }
  }

  @Test
  void shouldRegisterNoJavaOnlyProperty() {
    for (Schema schema :
        List.of(
            ScanEvent.getClassSchema(),
            CountKey.getClassSchema(),
            RemediationCount.getClassSchema(),
            Rejected.getClassSchema())) {
      assertThat(schema.toString()).contains("avro.java.string");
      assertThat(PortableSchema.text(schema)).doesNotContain("avro.java").doesNotContain("java-");
    }
  }
}
