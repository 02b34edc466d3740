package dev.patchwatch.topology;

import dev.patchwatch.avro.internal.PartialCounts;
import dev.patchwatch.avro.internal.Snapshot;
import dev.patchwatch.avro.internal.StageMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The messages between the stages (the partials repartition topic) in a compact layout ({@link
 * Compact#FORMAT}): sending partition, flags (1: reset, 2: progress follows), progress (8 bytes,
 * big-endian) when flagged, snapshot count, then per snapshot its key's length and bytes and its
 * six counters, all lengths and counters varints. Avro records of earlier versions, still in the
 * topic after an upgrade, are read as well.
 */
final class StageMessageSerde implements Serde<StageMessage> {

  private static final int RESET = 1;
  private static final int PROGRESS = 2;

  private final InternalSerde<StageMessage> avro = new InternalSerde<>(StageMessage.class);

  @Override
  public Serializer<StageMessage> serializer() {
    return (topic, message) -> message == null ? null : encode(message);
  }

  @Override
  public Deserializer<StageMessage> deserializer() {
    Deserializer<StageMessage> older = avro.deserializer();
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      return bytes.length > 0 && bytes[0] != Compact.FORMAT
          ? older.deserialize(topic, bytes)
          : decode(bytes);
    };
  }

  static byte[] encode(StageMessage message) {
    List<Snapshot> snapshots = message.getSnapshots();
    Compact out = new Compact(16 + snapshots.size() * 40);
    out.putVarint(message.getPartition());
    Long progress = message.getProgress();
    out.putByte((message.getReset() ? RESET : 0) | (progress == null ? 0 : PROGRESS));
    if (progress != null) {
      long p = progress;
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.putByte((int) (p >>> shift));
      }
    }
    out.putVarint(snapshots.size());
    for (Snapshot snapshot : snapshots) {
      ByteBuffer key = snapshot.getKey();
      out.putVarint(key.remaining());
      if (key.hasArray()) {
        out.putBytes(key.array(), key.arrayOffset() + key.position(), key.remaining());
      } else {
        byte[] copy = new byte[key.remaining()];
        key.duplicate().get(copy);
        out.putBytes(copy, 0, copy.length);
      }
      PartialCounts c = snapshot.getCounts();
      out.putVarlong(c.getHosts())
          .putVarlong(c.getVulnerable())
          .putVarlong(c.getMitigated())
          .putVarlong(c.getPatched())
          .putVarlong(c.getUnreachable())
          .putVarlong(c.getCompromised());
    }
    return out.toByteArray();
  }

  static StageMessage decode(byte[] bytes) {
    Compact.Reader in = new Compact.Reader(bytes, "stage message");
    int partition = in.getVarint();
    int flags = in.getByte();
    if ((flags & ~(RESET | PROGRESS)) != 0) {
      throw new SerializationException("stage message: unknown flags " + flags);
    }
    Long progress = null;
    if ((flags & PROGRESS) != 0) {
      long p = 0;
      for (int i = 0; i < 8; i++) {
        p = (p << 8) | (in.getByte() & 0xFF);
      }
      progress = p;
    }
    int n = in.getVarint();
    if (n > bytes.length) {
      throw new SerializationException("stage message: " + n + " snapshots in " + bytes.length);
    }
    List<Snapshot> snapshots = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ByteBuffer key = ByteBuffer.wrap(in.getBytes(in.getVarint()));
      snapshots.add(
          new Snapshot(
              key,
              new PartialCounts(
                  in.getVarlong(),
                  in.getVarlong(),
                  in.getVarlong(),
                  in.getVarlong(),
                  in.getVarlong(),
                  in.getVarlong())));
    }
    in.end();
    return new StageMessage(partition, progress, (flags & RESET) != 0, snapshots);
  }
}
