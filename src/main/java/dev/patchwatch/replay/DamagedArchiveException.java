package dev.patchwatch.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** An archive that cannot be read whole: refused before any of it is used. */
public final class DamagedArchiveException extends IOException {

  private static final long serialVersionUID = 1L;

  private final long record;

  DamagedArchiveException(Path file, long record, String why) {
    this(file, record, why, null);
  }

  DamagedArchiveException(Path file, long record, String why, Throwable cause) {
    super(
        String.format(
            Locale.ROOT, "%s is damaged: reading failed at record %,d: %s", file, record, why),
        cause);
    this.record = record;
  }

  /** The 1-based number of the record where reading failed (1 when the header is damaged). */
  public long record() {
    return record;
  }
}
