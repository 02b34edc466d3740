package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.internal.PartialCounts;
import dev.patchwatch.avro.internal.PartitionedCounts;
import dev.patchwatch.avro.internal.Snapshot;
import dev.patchwatch.avro.internal.StageMessage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The compact layouts of the aggregating stage's values and of the messages between stages. */
class CompactFormatTest {

  private static final long MARCH_1 = 1_614_556_800_000L;

  private static PartialCounts counts(long hosts, long vulnerable) {
    return new PartialCounts(hosts, vulnerable, 0L, hosts - vulnerable, 0L, 1L);
  }

  @Test
  void shouldKeepEachPartitionsLatestCountsInPartitionOrder() {
    SourceCounts value = new SourceCounts();
    value.set(4, counts(10, 3));
    value.set(1, counts(5, 5));
    value.set(7, counts(2, 0));
    value.set(4, counts(12, 2)); // replaces partition 4's

    SourceCounts back = SourceCounts.decode(value.encode());

    Counts sum = back.sum();
    assertThat(sum.hosts).isEqualTo(19);
    assertThat(sum.vulnerable).isEqualTo(7);
    assertThat(sum.patched).isEqualTo(12);
    assertThat(sum.compromised).isEqualTo(3);
    assertThat(back.holds(4)).isTrue();
    assertThat(back.remove(4)).isTrue();
    assertThat(back.remove(4)).isFalse();
    assertThat(back.sum().hosts).isEqualTo(7);
    assertThat(back.remove(1) && back.remove(7)).isTrue();
    assertThat(back.isEmpty()).isTrue();
  }

  @Test
  void shouldWriteLargeAndNegativeCountersAsThemselves() {
    SourceCounts value = new SourceCounts();
    value.set(300, new PartialCounts(Long.MAX_VALUE, -1L, Long.MIN_VALUE, 0L, 128L, 1L << 40));
    Counts sum = SourceCounts.decode(value.encode()).sum();
    assertThat(
            List.of(
                sum.hosts,
                sum.vulnerable,
                sum.mitigated,
                sum.patched,
                sum.unreachable,
                sum.compromised))
        .containsExactly(Long.MAX_VALUE, -1L, Long.MIN_VALUE, 0L, 128L, 1L << 40);
  }

  @Test
  void shouldReadTheAvroValuesOfEarlierVersions() {
    PartitionedCounts old =
        new PartitionedCounts(List.of(0, 3), List.of(counts(4, 1), counts(6, 6)));
    byte[] bytes = new InternalSerde<>(PartitionedCounts.class).serializer().serialize("t", old);
    assertThat(bytes[0]).isEqualTo((byte) 2);

    SourceCounts value = SourceCounts.decode(bytes);

    assertThat(value.sum().hosts).isEqualTo(10);
    assertThat(value.sum().vulnerable).isEqualTo(7);
    assertThat(value.holds(3)).isTrue();
    assertThat(value.encode()[0]).isEqualTo(Compact.FORMAT);
  }

  @Test
  void shouldRefuseDamagedValues() {
    SourceCounts value = new SourceCounts();
    value.set(2, counts(3, 1));
    byte[] good = value.encode();

    assertThatThrownBy(() -> SourceCounts.decode(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> SourceCounts.decode(Arrays.copyOf(good, good.length + 1)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("after the end");
    byte[] unknown = good.clone();
    unknown[0] = 9;
    assertThatThrownBy(() -> SourceCounts.decode(unknown))
        .isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> SourceCounts.decode(new byte[0]))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void shouldCarryStageMessagesOfEveryKind() {
    StageMessageSerde serde = new StageMessageSerde();
    byte[] key =
        AggregateKey.encode(Granularity.DAILY, MARCH_1, "CVE-2021-26855", Dimension.ASN, "3320");
    StageMessage partials =
        new StageMessage(5, null, false, List.of(new Snapshot(ByteBuffer.wrap(key), counts(9, 4))));
    StageMessage progress = new StageMessage(2, MARCH_1 - 1, false, List.of());
    StageMessage reset = new StageMessage(0, null, true, List.of());

    for (StageMessage message : List.of(partials, progress, reset)) {
      byte[] bytes = serde.serializer().serialize("t", message);
      assertThat(bytes[0]).isEqualTo(Compact.FORMAT);
      assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(message);
    }
    // far smaller than the Avro record it replaces
    byte[] avro = new InternalSerde<>(StageMessage.class).serializer().serialize("t", partials);
    assertThat(serde.serializer().serialize("t", partials).length).isLessThan(avro.length);
  }

  @Test
  void shouldReadAvroStageMessagesLeftInTheTopicByAnEarlierVersion() {
    StageMessage old = new StageMessage(1, 42L, true, List.of());
    byte[] bytes = new InternalSerde<>(StageMessage.class).serializer().serialize("t", old);
    assertThat(new StageMessageSerde().deserializer().deserialize("t", bytes)).isEqualTo(old);
  }

  @Test
  void shouldRefuseDamagedStageMessages() {
    StageMessageSerde serde = new StageMessageSerde();
    byte[] good = serde.serializer().serialize("t", new StageMessage(1, 7L, false, List.of()));
    byte[] flags = good.clone();
    flags[2] = 8;
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", flags))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("flags");
    assertThatThrownBy(
            () -> serde.deserializer().deserialize("t", Arrays.copyOf(good, good.length - 2)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("truncated");
    byte[] huge = {Compact.FORMAT, 1, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", huge))
        .isInstanceOf(SerializationException.class);
  }
}
