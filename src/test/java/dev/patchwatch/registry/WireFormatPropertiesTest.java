package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.ScanEvent;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The wire-format decoder on arbitrary bytes: a record, or a {@link WireFormatException}, never any
 * other exception (which would stop a stream thread instead of rejecting one record).
 */
class WireFormatPropertiesTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final AvroSerde<ScanEvent> events = new AvroSerde<>(registry, ScanEvent.class, false);
  private final byte[] valid = events.serialize("scans", AvroSerdeTest.event());
  private final int id = ByteBuffer.wrap(valid, 1, 4).getInt();

  @Property(tries = 3000)
  void arbitraryBytesDecodeOrAreRefusedAsWireFormat(@ForAll @Size(max = 2000) byte[] bytes) {
    assertDecodesOrRefuses(bytes);
  }

  @Property(tries = 3000)
  void arbitraryBodiesBehindAKnownSchemaIdDecodeOrAreRefused(
      @ForAll @Size(max = 2000) byte[] body) {
    // the header of a registered schema, so the Avro decoder itself meets the garbage
    byte[] bytes = ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
    assertDecodesOrRefuses(bytes);
  }

  @Property(tries = 3000)
  void damagedRecordsDecodeOrAreRefused(
      @ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll byte value,
      @ForAll boolean truncate) {
    int at = 5 + position % (valid.length - 5);
    byte[] bytes;
    if (truncate) {
      bytes = java.util.Arrays.copyOf(valid, at);
    } else {
      bytes = valid.clone();
      bytes[at] = value;
    }
    assertDecodesOrRefuses(bytes);
  }

  private void assertDecodesOrRefuses(byte[] bytes) {
    try {
      ScanEvent event = events.deserialize("scans", bytes);
      // decoded: a record of the schema, which the event contract then judges like any other
      assertThat(event).isNotNull();
    } catch (WireFormatException e) {
      assertThat(e.kind()).isNotNull();
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
