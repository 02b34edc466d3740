package dev.patchwatch.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The two kinds of event file PatchWatch reads: JSON lines and Avro object container files. */
public enum ArchiveFormat {
  /** One scan event per line in the canonical JSON form of DESIGN section 2. */
  JSON_LINES,
  /** An Avro object container file of ScanEvent records, its writer schema embedded. */
  AVRO;

  /** The four bytes every Avro object container file starts with. */
  private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

  /**
   * The format of a file, by its first bytes rather than its name: an archive renamed, or written
   * by another tool, is still read right. A JSON line can never start with these bytes. A file of
   * one to three bytes that begin them is an archive cut inside its header, refused as such rather
   * than read as a line of JSON.
   */
  public static ArchiveFormat detect(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return detect(in.readNBytes(AVRO_MAGIC.length));
    }
  }

  static ArchiveFormat detect(byte[] head) {
    int n = Math.min(head.length, AVRO_MAGIC.length);
    return n > 0 && Arrays.equals(head, 0, n, AVRO_MAGIC, 0, n) ? AVRO : JSON_LINES;
  }
}
