package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.scanner.format.FormatReader;
import dev.patchwatch.scanner.format.InputFile;
import dev.patchwatch.scanner.format.InputFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both formats replay reads without --format, through the one reader of every format: detection by
 * content, schema resolution, positions.
 */
class EventFilesTest {

  private static final EventContract CONTRACT =
      new EventContract(Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC));

  @TempDir Path dir;

  private static ScanEvent event(String ip, String observedAt) {
    return new ScanEvent(
        "shadowserver",
        Instant.parse(observedAt),
        ip,
        "CVE-2021-26855",
        ScanStatus.VULNERABLE,
        "FR",
        16276L,
        true,
        "e-1",
        443,
        "mail.example.test",
        "Exchange",
        "15.1",
        Map.of("campaign", "proxylogon"));
  }

  @Test
  void shouldDetectAnArchiveByContentNotName() throws IOException {
    Path avroNamedJsonl = dir.resolve("events.jsonl");
    writeArchive(avroNamedJsonl, List.of(event("192.0.2.1", "2021-03-08T10:00:00Z")));
    Path jsonNamedAvro = dir.resolve("events.avro");
    Files.writeString(jsonNamedAvro, "{\"scanner\":\"s\"}\n");
    Path obj = dir.resolve("obj.jsonl");
    Files.writeString(obj, "Obj is not JSON\n");
    Path empty = Files.createFile(dir.resolve("empty"));

    assertThat(ArchiveFormat.detect(avroNamedJsonl)).isEqualTo(ArchiveFormat.AVRO);
    assertThat(ArchiveFormat.detect(jsonNamedAvro)).isEqualTo(ArchiveFormat.JSON_LINES);
    assertThat(ArchiveFormat.detect(obj)).isEqualTo(ArchiveFormat.JSON_LINES);
    assertThat(ArchiveFormat.detect(empty)).isEqualTo(ArchiveFormat.JSON_LINES);
  }

  @Test
  void shouldReadEveryFieldOfAnArchiveAndNumberItsRecords() throws IOException {
    ScanEvent first = event("192.0.2.1", "2021-03-08T10:00:00Z");
    ScanEvent badCountry =
        ScanEvent.newBuilder(event("192.0.2.2", "2021-03-08T11:00:00Z")).setCountry("QQ").build();
    ScanEvent minimal =
        new ScanEvent(
            "s2",
            Instant.parse("2021-03-08T12:00:00Z"),
            "2001:db8::1",
            "CVE-2021-26855",
            ScanStatus.PATCHED,
            "ZZ",
            0L,
            false,
            null,
            null,
            null,
            null,
            null,
            Map.of());
    Path file = dir.resolve("a.avro");
    writeArchive(file, List.of(first, badCountry, minimal));

    List<Item> items = readAll(file);
    assertThat(items).extracting(Item::position).containsExactly(1L, 2L, 3L);
    assertThat(((Parsed.Valid) items.get(0).parsed()).event()).isEqualTo(first);
    assertThat(((Parsed.Valid) items.get(2).parsed()).event()).isEqualTo(minimal);
    Parsed.Invalid invalid = (Parsed.Invalid) items.get(1).parsed();
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    // a rejected archive record carries its canonical JSON, which names the faulty value
    assertThat(new String(items.get(1).original(), StandardCharsets.UTF_8))
        .contains("\"country\":\"QQ\"");
  }

  @Test
  void shouldReadAnArchiveWrittenWithAnotherVersionOfTheSchema() throws IOException {
    // an older writer: no attributes, productVersion or hostname yet, and a field since dropped
    Schema status = ScanEvent.getClassSchema().getField("status").schema();
    Schema timestamp = ScanEvent.getClassSchema().getField("observedAt").schema();
    Schema older =
        SchemaBuilder.record("ScanEvent")
            .namespace("dev.patchwatch.avro")
            .fields()
            .requiredString("scanner")
            .name("observedAt")
            .type(timestamp)
            .noDefault()
            .requiredString("ip")
            .requiredString("vulnerability")
            .name("status")
            .type(status)
            .noDefault()
            .name("country")
            .type()
            .stringType()
            .stringDefault("ZZ")
            .name("asn")
            .type()
            .longType()
            .longDefault(0)
            .name("compromised")
            .type()
            .booleanType()
            .booleanDefault(false)
            .optionalString("eventId")
            .optionalInt("port")
            .optionalString("product")
            .requiredString("sensorRegion")
            .endRecord();
    GenericRecord record = new GenericData.Record(older);
    record.put("scanner", "legacy");
    record.put("observedAt", Instant.parse("2021-03-02T08:00:00Z").toEpochMilli());
    record.put("ip", "198.51.100.7");
    record.put("vulnerability", "CVE-2021-26855");
    record.put("status", new GenericData.EnumSymbol(status, "MITIGATED"));
    record.put("country", "DE");
    record.put("asn", 3320L);
    record.put("compromised", false);
    record.put("eventId", null);
    record.put("port", 443);
    record.put("product", "Exchange");
    record.put("sensorRegion", "eu-west");
    Path file = dir.resolve("old.avro");
    try (DataFileWriter<GenericRecord> writer =
        new DataFileWriter<>(new GenericDatumWriter<>(older))) {
      writer.create(older, file.toFile());
      writer.append(record);
    }

    ScanEvent read = ((Parsed.Valid) readAll(file).get(0).parsed()).event();
    assertThat(read)
        .isEqualTo(
            new ScanEvent(
                "legacy",
                Instant.parse("2021-03-02T08:00:00Z"),
                "198.51.100.7",
                "CVE-2021-26855",
                ScanStatus.MITIGATED,
                "DE",
                3320L,
                false,
                null,
                443,
                null,
                "Exchange",
                null,
                Map.of()));
  }

  @Test
  void shouldRefuseAnArchiveOfAnotherRecordTypeBeforeReadingAnything() throws IOException {
    Path file = dir.resolve("counts.avro");
    try (DataFileWriter<RemediationCount> writer =
        new DataFileWriter<>(new SpecificDatumWriter<>(RemediationCount.class))) {
      writer.create(RemediationCount.getClassSchema(), file.toFile());
    }
    assertThatThrownBy(() -> EventFiles.of(file, Optional.empty()).open(file, CONTRACT))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(
            "holds dev.patchwatch.avro.RemediationCount records that cannot be read as dev.patchwatch.avro.ScanEvent");
  }

  @Test
  void shouldNameTheRecordOfACorruptArchive() throws IOException {
    Path file = dir.resolve("a.avro");
    List<ScanEvent> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add(event("192.0.2." + (i % 250 + 1), "2021-03-08T10:00:00Z"));
    }
    writeArchive(file, many, CodecFactory.nullCodec());
    byte[] bytes = Files.readAllBytes(file);
    // garbage in the records near the end, before the block's closing sync marker
    for (int i = bytes.length - 400; i < bytes.length - 360; i++) {
      bytes[i] = (byte) 0xFF;
    }
    Files.write(file, bytes);
    assertThatThrownBy(() -> readAll(file))
        .isInstanceOf(DamagedArchiveException.class)
        .hasMessageMatching(".*a\\.avro is damaged: reading failed at record \\d+: .*");
  }

  @Test
  void shouldNumberLinesOfJsonLinesAndRefuseInvalidUtf8() throws IOException {
    Path file = dir.resolve("e.jsonl");
    byte[] notUtf8 = {'{', (byte) 0xC3, '}'};
    Files.write(
        file,
        concat(
            (EventContract.toJson(event("192.0.2.1", "2021-03-08T10:00:00Z")) + "\n")
                .getBytes(StandardCharsets.UTF_8),
            notUtf8,
            "\r\n[1]\n".getBytes(StandardCharsets.UTF_8)));
    List<Item> items = readAll(file);
    assertThat(items).extracting(Item::position).containsExactly(1L, 2L, 3L);
    assertThat(items.get(0).parsed()).isInstanceOf(Parsed.Valid.class);
    assertThat(((Parsed.Invalid) items.get(1).parsed()).message())
        .isEqualTo("line is not valid UTF-8");
    assertThat(items.get(1).original()).isEqualTo(notUtf8);
    assertThat(((Parsed.Invalid) items.get(2).parsed()).reason())
        .isEqualTo(RejectReason.NOT_OBJECT);
  }

  /** One record as replay and import see it: where, the checked event or why not, as read. */
  record Item(long position, Parsed parsed, byte[] original) {}

  private static List<Item> readAll(Path file) throws IOException {
    return readAll(file, CONTRACT);
  }

  /** Every record of {@code file}, in the format its content shows. */
  static List<Item> readAll(Path file, EventContract contract) throws IOException {
    InputFormat format = EventFiles.of(file, Optional.empty());
    List<Item> items = new ArrayList<>();
    try (InputFile in = format.open(file, contract)) {
      new FormatReader(format, contract).read(in, r -> items.add(item(r)));
      assertThat(in.bytesRead()).isEqualTo(Files.size(file));
    }
    return items;
  }

  private static Item item(FormatReader.ReadResult result) {
    Parsed parsed =
        result instanceof FormatReader.ReadResult.Event e
            ? new Parsed.Valid(e.event())
            : new Parsed.Invalid(
                ((FormatReader.ReadResult.Rejection) result).reason(),
                ((FormatReader.ReadResult.Rejection) result).message());
    return new Item(result.position(), parsed, result.original());
  }

  private static void writeArchive(Path file, List<ScanEvent> events) throws IOException {
    writeArchive(file, events, CodecFactory.deflateCodec(6));
  }

  private static void writeArchive(Path file, List<ScanEvent> events, CodecFactory codec)
      throws IOException {
    try (DataFileWriter<ScanEvent> writer =
        new DataFileWriter<>(new SpecificDatumWriter<>(ScanEvent.class))) {
      writer.setCodec(codec);
      writer.create(ScanEvent.getClassSchema(), file.toFile());
      for (ScanEvent e : events) {
        writer.append(e);
      }
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  @Test
  void shouldRejectOversizeLineAsTooLargeKeepingItsFirstBytesAndReadOn() throws IOException {
    Path file = dir.resolve("big.jsonl");
    String valid = EventContract.toJson(event("192.0.2.1", "2021-03-08T10:00:00Z"));
    String big = "{\"scanner\":\"" + "s".repeat(1 << 20) + "\"}";
    Files.writeString(file, valid + "\n" + big + "\n" + valid + "\n");

    List<Item> items = readAll(file);

    assertThat(items).extracting(Item::position).containsExactly(1L, 2L, 3L);
    Parsed.Invalid tooLarge = (Parsed.Invalid) items.get(1).parsed();
    assertThat(tooLarge.reason()).isEqualTo(RejectReason.TOO_LARGE);
    assertThat(tooLarge.message()).startsWith("line is " + big.length() + " bytes");
    assertThat(items.get(1).original())
        .isEqualTo(big.substring(0, 1024).getBytes(StandardCharsets.UTF_8));
    assertThat(items.get(2).parsed()).isInstanceOf(Parsed.Valid.class);
  }

  @Test
  void shouldRejectOversizeArchiveRecordAsTooLargeKeepingTheFirstBytesOfItsJson()
      throws IOException {
    ScanEvent huge = event("192.0.2.2", "2021-03-08T11:00:00Z");
    huge.setAttributes(Map.of("dump", "d".repeat(600_000)));
    Path file = dir.resolve("big.avro");
    writeArchive(file, List.of(event("192.0.2.1", "2021-03-08T10:00:00Z"), huge));

    List<Item> items = readAll(file);

    assertThat(items.get(0).parsed()).isInstanceOf(Parsed.Valid.class);
    Parsed.Invalid tooLarge = (Parsed.Invalid) items.get(1).parsed();
    assertThat(tooLarge.reason()).isEqualTo(RejectReason.TOO_LARGE);
    assertThat(tooLarge.message())
        .matches("record is 6\\d{5} bytes, more than the limit of 524288.*");
    byte[] json = EventContract.toJson(huge).getBytes(StandardCharsets.UTF_8);
    assertThat(items.get(1).original()).isEqualTo(java.util.Arrays.copyOf(json, 1024));
  }

  @Test
  void shouldReadAShadowserverReportWhenNamedAsIngestDoes() throws IOException {
    Path file = dir.resolve("report.csv");
    try (var in = getClass().getResourceAsStream("/formats/shadowserver-exchange.csv")) {
      Files.write(file, in.readAllBytes());
    }
    InputFormat format = EventFiles.of(file, Optional.of("shadowserver"));
    List<Item> viaReplay = new ArrayList<>();
    try (InputFile in = format.open(file, CONTRACT)) {
      new FormatReader(format, CONTRACT).read(in, r -> viaReplay.add(item(r)));
    }
    List<Item> viaIngest = new ArrayList<>();
    try (var in = Files.newInputStream(file)) {
      new FormatReader(dev.patchwatch.scanner.format.InputFormats.byName("shadowserver"), CONTRACT)
          .read(in, r -> viaIngest.add(item(r)));
    }

    assertThat(format.name()).isEqualTo("shadowserver");
    assertThat(viaReplay).usingRecursiveFieldByFieldElementComparator().isEqualTo(viaIngest);
    assertThat(viaReplay).extracting(i -> i.parsed() instanceof Parsed.Valid).contains(true, false);
    // without --format a CSV report is taken for JSON lines, and every row refused as such
    assertThat(readAll(file))
        .allSatisfy(i -> assertThat(i.parsed()).isInstanceOf(Parsed.Invalid.class));
  }

  @Test
  void shouldNameAvroAmongTheFormatsOfAnUnknownName() {
    assertThat(EventFiles.all())
        .extracting(InputFormat::name)
        .containsExactly("avro", "csv", "jsonl", "nmap", "nuclei", "shadowserver");
    assertThatThrownBy(() -> EventFiles.of(dir.resolve("x"), Optional.of("xml")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown input format \"xml\"; known formats: avro, csv, jsonl, nmap, nuclei,"
                + " shadowserver");
  }

  @Test
  void shouldReadAnArchiveAsAvroWhenNamedAndRefuseAJsonFileNamedAvro() throws IOException {
    Path archive = dir.resolve("a.bin");
    writeArchive(archive, List.of(event("192.0.2.1", "2021-03-08T10:00:00Z")));
    Path json = Files.writeString(dir.resolve("e.avro"), "{}\n");

    InputFormat avro = EventFiles.of(json, Optional.of("avro"));

    try (InputFile in = avro.open(archive, CONTRACT)) {
      List<Item> items = new ArrayList<>();
      new FormatReader(avro, CONTRACT).read(in, r -> items.add(item(r)));
      assertThat(items).extracting(Item::position).containsExactly(1L);
    }
    assertThatThrownBy(() -> avro.open(json, CONTRACT)).isInstanceOf(DamagedArchiveException.class);
  }
}
