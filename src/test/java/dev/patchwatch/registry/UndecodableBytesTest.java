package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.ScanEvent;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bytes that are not a decodable record end as a WireFormatException, and as nothing else. */
class UndecodableBytesTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final AvroSerde<ScanEvent> events = new AvroSerde<>(registry, ScanEvent.class, false);
  private final byte[] valid = events.serialize("scans", AvroSerdeTest.event());

  private static WireFormatException.Kind kindOf(Runnable decode) {
    try {
      decode.run();
    } catch (WireFormatException e) {
      return e.kind();
    }
    throw new AssertionError("decoded without an exception");
  }

  @Test
  void shouldRefuseAWrongMagicByte() {
    byte[] bytes = valid.clone();
    bytes[0] = 1;

    assertThatThrownBy(() -> events.deserialize("scans", bytes))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("magic byte is 1");
  }

  @Test
  void shouldRefuseBytesShorterThanTheHeader() {
    for (int length = 0; length < 5; length++) {
      byte[] bytes = Arrays.copyOf(valid, length);
      assertThat(kindOf(() -> events.deserialize("scans", bytes)))
          .isEqualTo(WireFormatException.Kind.UNDECODABLE);
    }
  }

  @Test
  void shouldCallAnUnknownIdAnUnknownSchema() {
    byte[] bytes = valid.clone();
    bytes[4] = 42;

    assertThatThrownBy(() -> events.deserialize("scans", bytes))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("schema id 42 is not registered")
        .satisfies(
            e ->
                assertThat(((WireFormatException) e).kind())
                    .isEqualTo(WireFormatException.Kind.UNKNOWN_SCHEMA));
  }

  @Test
  void shouldRefuseEveryTruncationOfAValidRecord() {
    for (int length = 5; length < valid.length; length++) {
      byte[] bytes = Arrays.copyOf(valid, length);
      assertThat(kindOf(() -> events.deserialize("scans", bytes)))
          .as("first %d of %d bytes", length, valid.length)
          .isEqualTo(WireFormatException.Kind.UNDECODABLE);
    }
  }

  @Test
  void shouldRefuseTrailingBytes() {
    byte[] bytes = Arrays.copyOf(valid, valid.length + 1);

    assertThatThrownBy(() -> events.deserialize("scans", bytes))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("trailing bytes");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldRefuseRandomBytesAfterAValidHeaderWithWireFormatExceptionsOnly() {
    // Rejected has arrays, unions, bytes and enums: more ways for garbage to go wrong.
    AvroSerde<Rejected> rejected = new AvroSerde<>(registry, Rejected.class, false);
    int rejectedId = registry.register("rejected-value", Rejected.getClassSchema());
    int eventId = ByteBuffer.wrap(valid, 1, 4).getInt();
    Random random = new Random(20210302L);
    int refused = 0;
    int tries = 4000;
    for (int i = 0; i < tries; i++) {
      boolean event = i % 2 == 0;
      byte[] body = new byte[random.nextInt(i % 10 == 0 ? 2000 : 80)];
      random.nextBytes(body);
      byte[] bytes =
          ByteBuffer.allocate(5 + body.length)
              .put((byte) 0)
              .putInt(event ? eventId : rejectedId)
              .put(body)
              .array();
      try {
        if (event) {
          events.deserialize("scans", bytes);
        } else {
          rejected.deserialize("rejected", bytes);
        }
      } catch (WireFormatException e) {
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.UNDECODABLE);
        refused++;
      }
    }
    // random bytes rarely happen to be exactly one record
    assertThat(refused).isGreaterThan(tries * 9 / 10);
  }

  @Test
  void shouldNotAllocateWhatACorruptLengthPrefixOrCountClaims() {
    // ScanEvent starts with a string: claim it is 1 GiB long
    ByteArrayOutputStream longString = new ByteArrayOutputStream();
    longString.write(valid, 0, 5);
    writeLong(longString, 1L << 30);
    longString.write('x');
    // Rejected is an enum, a string, then an array: claim 2^28 items
    int rejectedId = registry.register("rejected-value", Rejected.getClassSchema());
    AvroSerde<Rejected> rejected = new AvroSerde<>(registry, Rejected.class, false);
    ByteArrayOutputStream longArray = new ByteArrayOutputStream();
    longArray.writeBytes(ByteBuffer.allocate(5).put((byte) 0).putInt(rejectedId).array());
    writeLong(longArray, 0);
    writeLong(longArray, 0);
    writeLong(longArray, 1L << 28);
    longArray.write(0);
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    // warm up, so the measure sees only the corrupt records
    events.deserialize("scans", valid);
    assertThatThrownBy(
            () -> rejected.deserialize("rejected", new byte[] {0, 0, 0, 0, (byte) rejectedId}))
        .isInstanceOf(WireFormatException.class);
    long before = threads.getThreadAllocatedBytes(thread);

    assertThatThrownBy(() -> events.deserialize("scans", longString.toByteArray()))
        .isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> rejected.deserialize("rejected", longArray.toByteArray()))
        .isInstanceOf(WireFormatException.class);

    assertThat(threads.getThreadAllocatedBytes(thread) - before).isLessThan(64L << 20);
  }

  /** Avro's zig-zag varint. */
  private static void writeLong(ByteArrayOutputStream out, long value) {
    long zigzag = (value << 1) ^ (value >> 63);
    while ((zigzag & ~0x7fL) != 0) {
      out.write((int) ((zigzag & 0x7f) | 0x80));
      zigzag >>>= 7;
    }
    out.write((int) zigzag);
  }

  @Test
  void shouldCallBytesOfANonRecordSchemaUndecodableForGenericReaders() {
    int id = registry.register("strings", Schema.create(Schema.Type.STRING));
    byte[] bytes = {0, 0, 0, 0, (byte) id, 2, 'h'};

    assertThat(kindOf(() -> new GenericAvroSerde(registry, false).deserialize("strings", bytes)))
        .isEqualTo(WireFormatException.Kind.UNDECODABLE);
  }

  @Test
  void shouldLetAnUnreachableRegistryThroughAsSuch() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ConfluentRegistryClient down =
        ConfluentRegistryClient.builder("http://127.0.0.1:" + port).maxAttempts(1).build();
    AvroSerde<ScanEvent> serde = new AvroSerde<>(down, ScanEvent.class, false);

    // not a WireFormatException: the record is not bad, and must be retried, not rejected
    assertThatThrownBy(() -> serde.deserialize("scans", valid))
        .isExactlyInstanceOf(RegistryUnreachableException.class);
    assertThatThrownBy(() -> serde.serialize("scans", AvroSerdeTest.event()))
        .isExactlyInstanceOf(RegistryUnreachableException.class);
  }
}
