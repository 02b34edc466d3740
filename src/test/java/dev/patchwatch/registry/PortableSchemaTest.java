package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class PortableSchemaTest {

  private static final String JAVA =
      """
      {"type":"record","name":"R","namespace":"x","fields":[
        {"name":"s","type":{"type":"string","avro.java.string":"String"}},
        {"name":"m","type":{"type":"map","values":{"type":"string","avro.java.string":"String"},
          "avro.java.string":"String"},"default":{}},
        {"name":"o","type":["null",{"type":"string","avro.java.string":"String"}],"default":null},
        {"name":"t","type":{"type":"long","logicalType":"timestamp-millis"},"doc":"kept"}]}
      """;

  private static final String PLAIN =
      """
      {"type":"record","name":"R","namespace":"x","fields":[
        {"name":"s","type":"string"},
        {"name":"m","type":{"type":"map","values":"string"},"default":{}},
        {"name":"o","type":["null","string"],"default":null},
        {"name":"t","type":{"type":"long","logicalType":"timestamp-millis"},"doc":"kept"}]}
      """;

  @Test
  void shouldDropTheJavaStringPropertyEverywhereAndKeepTheRest() {
    Schema java = new Schema.Parser().parse(JAVA);
    Schema plain = new Schema.Parser().parse(PLAIN);

    assertThat(java).isNotEqualTo(plain);
    assertThat(PortableSchema.of(java)).isEqualTo(plain);
    assertThat(PortableSchema.text(java)).isEqualTo(plain.toString());
    assertThat(PortableSchema.same(java, plain)).isTrue();
  }

  @Test
  void shouldReturnASchemaWithoutJavaPropertiesUnchanged() {
    Schema plain = new Schema.Parser().parse(PLAIN);

    assertThat(PortableSchema.of(plain)).isSameAs(plain);
  }

  @Test
  void shouldTellDifferentSchemasApart() {
    Schema plain = new Schema.Parser().parse(PLAIN);
    Schema other = new Schema.Parser().parse(PLAIN.replace("\"s\"", "\"z\""));

    assertThat(PortableSchema.same(plain, other)).isFalse();
  }
}
