package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.scanner.format.InputFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged archives are refused whole, naming the record where reading failed. Cut points are found
 * from the file's own structure (the sync marker that ends its header and every block, and Avro's
 * block counts), not from the code under test.
 */
class ArchiveCheckTest {

  private static final EventContract CONTRACT =
      new EventContract(Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC));
  private static final int EVENTS = 2_000;

  @TempDir Path dir;

  @Test
  void shouldCountEveryRecordOfACompleteArchive() throws IOException {
    Path file = archive(CodecFactory.deflateCodec(6));
    assertThat(blocks(file)).hasSizeGreaterThan(2);
    assertThat(ArchiveCheck.verify(file)).isEqualTo(new ArchiveCheck.Verified(EVENTS, true));
  }

  @Test
  void shouldRefuseAnArchiveCutInHalfNamingTheFirstRecordOfTheBlockItCuts() throws IOException {
    Path file = archive(CodecFactory.deflateCodec(6));
    long half = Files.size(file) / 2;
    long expected = 1 + recordsInBlocksEndingBy(file, half);
    Path cut = cut(file, half);

    assertThatThrownBy(() -> ArchiveCheck.verify(cut))
        .isInstanceOfSatisfying(
            DamagedArchiveException.class, e -> assertThat(e.record()).isEqualTo(expected))
        .hasMessageContaining("t.avro is damaged: reading failed at record")
        .hasMessageContaining("the file ends inside the block of records");
  }

  @Test
  void shouldRefuseAnArchiveCutExactlyBetweenTwoBlocksByItsDeclaredCount() throws IOException {
    Path file = archive(CodecFactory.deflateCodec(6));
    Block first = blocks(file).get(0);
    Path cut = cut(file, first.end());

    assertThatThrownBy(() -> ArchiveCheck.verify(cut))
        .isInstanceOfSatisfying(
            DamagedArchiveException.class,
            e -> assertThat(e.record()).isEqualTo(first.records() + 1))
        .hasMessageContaining(
            String.format(
                "its header declares 2,000 records but the file ends after %,d", first.records()));
  }

  @Test
  void shouldRefuseAnArchiveCutRightAfterItsHeaderAtRecordOne() throws IOException {
    Path file = archive(CodecFactory.deflateCodec(6));
    Path cut = cut(file, headerEnd(file));

    assertThatThrownBy(() -> ArchiveCheck.verify(cut))
        .isInstanceOfSatisfying(DamagedArchiveException.class, e -> assertThat(e.record()).isOne())
        .hasMessageContaining("declares 2,000 records but the file ends after 0");
  }

  @Test
  void shouldRefuseAnArchiveCutInsideItsHeader() throws IOException {
    Path file = archive(CodecFactory.deflateCodec(6));
    Path cut = cut(file, headerEnd(file) - 5);

    assertThatThrownBy(() -> ArchiveCheck.verify(cut))
        .isInstanceOfSatisfying(DamagedArchiveException.class, e -> assertThat(e.record()).isOne())
        .hasMessageEndingWith("reading failed at record 1: the file ends inside its header");
  }

  @Test
  void shouldRefuseAnEmptyFileCheckedAsAnArchive() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.avro"));
    assertThatThrownBy(() -> ArchiveCheck.verify(empty))
        .isInstanceOf(DamagedArchiveException.class)
        .hasMessageContaining("the file ends inside its header");
  }

  @Test
  void shouldRefuseAFileOfTheFirstMagicBytesAsACutArchiveNotAsJson() throws IOException {
    Path file = dir.resolve("ob");
    Files.write(file, "Ob".getBytes(StandardCharsets.US_ASCII));
    assertThat(ArchiveFormat.detect(file)).isEqualTo(ArchiveFormat.AVRO);
    assertThatThrownBy(() -> EventFiles.of(file, Optional.empty()).open(file, CONTRACT))
        .isInstanceOf(DamagedArchiveException.class)
        .hasMessageContaining("ends inside its header");
  }

  @Test
  void shouldRefuseAGarbledHeader() throws IOException {
    Path file = archive(CodecFactory.deflateCodec(6));
    byte[] bytes = Files.readAllBytes(file);
    // the first metadata entry's key length, just after the magic and the map's entry count
    bytes[5] = (byte) 0x7F;
    Files.write(file, bytes);

    assertThatThrownBy(() -> ArchiveCheck.verify(file))
        .isInstanceOfSatisfying(DamagedArchiveException.class, e -> assertThat(e.record()).isOne());
  }

  @Test
  void shouldRefuseAFlippedSyncMarkerNamingTheBlockBeforeIt() throws IOException {
    Path file = archive(CodecFactory.deflateCodec(6));
    List<Block> blocks = blocks(file);
    Block second = blocks.get(1);
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) second.end() - 3] ^= 0x01;
    Files.write(file, bytes);

    assertThatThrownBy(() -> ArchiveCheck.verify(file))
        .isInstanceOfSatisfying(
            DamagedArchiveException.class,
            e -> assertThat(e.record()).isEqualTo(blocks.get(0).records() + 1))
        .hasMessageContaining("does not match the header's");
  }

  @Test
  void shouldRefuseAFlippedByteInsideACompressedBlock() throws IOException {
    Path file = archive(CodecFactory.deflateCodec(6));
    List<Block> blocks = blocks(file);
    Block second = blocks.get(1);
    long middle = (blocks.get(0).end() + second.end()) / 2;
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) middle] ^= 0x10;
    Files.write(file, bytes);

    long first = blocks.get(0).records() + 1;
    assertThatThrownBy(() -> ArchiveCheck.verify(file))
        .isInstanceOfSatisfying(
            DamagedArchiveException.class,
            e -> assertThat(e.record()).isBetween(first, first + second.records() - 1))
        .hasMessageContaining("it cannot be decoded");
  }

  @Test
  void shouldRefuseGarbageInsideAnUncompressedBlock() throws IOException {
    Path file = archive(CodecFactory.nullCodec());
    List<Block> blocks = blocks(file);
    Block second = blocks.get(1);
    long middle = (blocks.get(0).end() + second.end()) / 2;
    byte[] bytes = Files.readAllBytes(file);
    Arrays.fill(bytes, (int) middle, (int) middle + 64, (byte) 0xFF);
    Files.write(file, bytes);

    long first = blocks.get(0).records() + 1;
    assertThatThrownBy(() -> ArchiveCheck.verify(file))
        .isInstanceOfSatisfying(
            DamagedArchiveException.class,
            e -> assertThat(e.record()).isBetween(first, first + second.records() - 1));
  }

  @Test
  void shouldAcceptAnEmptyArchive() throws IOException {
    Path file = dir.resolve("none.avro");
    try (ArchiveWriter writer = new ArchiveWriter(file, CodecFactory.deflateCodec(6), Map.of())) {
      writer.commit();
    }
    assertThat(ArchiveCheck.verify(file)).isEqualTo(new ArchiveCheck.Verified(0, true));
  }

  @Test
  void shouldCheckAnArchiveWithoutADeclaredCountBlockByBlock() throws IOException {
    Path file = dir.resolve("old.avro");
    try (DataFileWriter<ScanEvent> writer =
        new DataFileWriter<>(new SpecificDatumWriter<>(ScanEvent.class))) {
      writer.setCodec(CodecFactory.deflateCodec(6));
      writer.create(ScanEvent.getClassSchema(), file.toFile());
      for (int i = 0; i < EVENTS; i++) {
        writer.append(event(i));
      }
    }
    assertThat(ArchiveCheck.verify(file)).isEqualTo(new ArchiveCheck.Verified(EVENTS, false));

    Block first = blocks(file).get(0);
    // between two blocks, such a file is a complete shorter one: the limit DESIGN 7.5 states
    assertThat(ArchiveCheck.verify(cut(file, first.end())))
        .isEqualTo(new ArchiveCheck.Verified(first.records(), false));
    try (InputFile source = new AvroArchiveFormat().open(cut(file, first.end()), CONTRACT)) {
      assertThat(source.warning())
          .hasValueSatisfying(w -> assertThat(w).contains("cannot be told"));
    }
    assertThatThrownBy(() -> ArchiveCheck.verify(cut(file, first.end() + 10)))
        .isInstanceOfSatisfying(
            DamagedArchiveException.class,
            e -> assertThat(e.record()).isEqualTo(first.records() + 1));
  }

  @Test
  void shouldRefuseToOpenADamagedArchiveBeforeHandingOutAnyRecord() throws IOException {
    Path file = archive(CodecFactory.deflateCodec(6));
    Path cut = cut(file, Files.size(file) / 2);
    assertThatThrownBy(() -> new AvroArchiveFormat().open(cut, CONTRACT))
        .isInstanceOf(DamagedArchiveException.class);
  }

  @Test
  void shouldLeaveNoFileWhenAnArchiveIsNotCommitted() throws IOException {
    Path file = dir.resolve("never.avro");
    try (ArchiveWriter writer = new ArchiveWriter(file, CodecFactory.deflateCodec(6), Map.of())) {
      writer.append(event(1));
    }
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void shouldWriteTheMetadataAndTheRecordsOfACommittedArchive() throws IOException {
    Path file = archive(CodecFactory.snappyCodec());
    List<ScanEvent> read = new ArrayList<>();
    try (InputFile source = new AvroArchiveFormat().open(file, CONTRACT)) {
      assertThat(source.warning()).isEmpty();
    }
    for (EventFilesTest.Item item : EventFilesTest.readAll(file, CONTRACT)) {
      read.add(((Parsed.Valid) item.parsed()).event());
    }
    assertThat(read).hasSize(EVENTS).startsWith(event(0)).endsWith(event(EVENTS - 1));
    try (DataFileStream<GenericRecord> stream =
        new DataFileStream<>(Files.newInputStream(file), new GenericDatumReader<>())) {
      assertThat(stream.getMetaString(ArchiveCheck.META_RECORDS)).isEqualTo("2000");
      assertThat(stream.getMetaString("patchwatch.topic")).isEqualTo("t");
      assertThat(stream.getMetaString("avro.codec")).isEqualTo("snappy");
    }
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  private static ScanEvent event(int i) {
    return new ScanEvent(
        "scanner-" + (i % 7),
        Instant.parse("2021-03-08T00:00:00Z").plusSeconds(37L * i),
        "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255),
        "CVE-2021-26855",
        i % 3 == 0 ? ScanStatus.PATCHED : ScanStatus.VULNERABLE,
        i % 2 == 0 ? "FR" : "DE",
        (long) (i * 7919 % 65_000),
        i % 11 == 0,
        "e-" + i,
        443,
        "mail" + i + ".example.test",
        "Exchange",
        "15." + (i % 3),
        Map.of("campaign", "proxylogon-" + (i % 5)));
  }

  private Path archive(CodecFactory codec) throws IOException {
    Path file = dir.resolve("a.avro");
    try (ArchiveWriter writer = new ArchiveWriter(file, codec, Map.of("patchwatch.topic", "t"))) {
      for (int i = 0; i < EVENTS; i++) {
        writer.append(event(i));
      }
      writer.commit();
    }
    return file;
  }

  private Path cut(Path file, long length) throws IOException {
    Path cut = dir.resolve("t.avro");
    try (InputStream in = Files.newInputStream(file)) {
      Files.write(cut, in.readNBytes((int) length));
    }
    return cut;
  }

  /** A block of the container: the offset just past its sync marker, and its record count. */
  private record Block(long end, long records) {}

  /** The sync marker ends the header and every block; a complete file ends with it. */
  private static List<Long> syncEnds(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    byte[] sync = Arrays.copyOfRange(bytes, bytes.length - 16, bytes.length);
    List<Long> ends = new ArrayList<>();
    for (int i = 0; i + 16 <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + 16, sync, 0, 16)) {
        ends.add((long) i + 16);
      }
    }
    return ends;
  }

  private static long headerEnd(Path file) throws IOException {
    return syncEnds(file).get(0);
  }

  private static List<Block> blocks(Path file) throws IOException {
    List<Long> counts = new ArrayList<>();
    try (DataFileStream<GenericRecord> stream =
        new DataFileStream<>(Files.newInputStream(file), new GenericDatumReader<>())) {
      while (stream.hasNext()) {
        counts.add(stream.getBlockCount());
        stream.nextBlock();
      }
    }
    List<Long> ends = syncEnds(file);
    assertThat(ends).hasSize(counts.size() + 1);
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < counts.size(); i++) {
      blocks.add(new Block(ends.get(i + 1), counts.get(i)));
    }
    return blocks;
  }

  private static long recordsInBlocksEndingBy(Path file, long offset) throws IOException {
    return blocks(file).stream().filter(b -> b.end() <= offset).mapToLong(Block::records).sum();
  }
}
