package dev.patchwatch.local;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * A data directory only its owner can enter (700). Java has no umask, and the broker and the
 * registry create their files as the process umask allows (644 and 755 by default): a private root
 * keeps all of them out of other users' reach whatever their own modes.
 */
public final class DataDirectory {

  static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

  /**
   * What {@link #preparePrivate} did.
   *
   * @param dir the absolute, normalised directory
   * @param tightenedFrom the mode it had, when it existed with more than 700; empty otherwise
   */
  public record Prepared(Path dir, Optional<String> tightenedFrom) {}

  private DataDirectory() {}

  /**
   * Creates {@code dir} (and missing parents, with the usual modes) with mode 700, or checks an
   * existing one and takes group and other permissions away from it. On a file system without POSIX
   * permissions only the checks are made.
   *
   * @param name what to call the directory in messages, e.g. {@code "--data-dir"}
   * @throws IllegalStateException naming {@code name}, the path and what is wrong with it
   */
  public static Prepared preparePrivate(Path dir, String name) {
    Path absolute = dir.toAbsolutePath().normalize();
    String what = name + " " + dir;
    if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
      throw new IllegalStateException(what + " is not a directory");
    }
    if (!Files.exists(absolute)) {
      create(absolute, what);
    }
    Optional<String> tightenedFrom = restrict(absolute, what);
    if (!Files.isWritable(absolute)) {
      throw new IllegalStateException(what + " is not writable");
    }
    return new Prepared(absolute, tightenedFrom);
  }

  private static void create(Path dir, String what) {
    try {
      if (dir.getParent() != null) {
        Files.createDirectories(dir.getParent());
      }
      if (posix(dir.getParent())) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      // created meanwhile by someone else, or a parent is a file: the checks that follow tell
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(what + " cannot be created: " + reason(e), e);
      }
    } catch (IOException e) {
      throw new IllegalStateException(what + " cannot be created: " + reason(e), e);
    }
  }

  private static Optional<String> restrict(Path dir, String what) {
    if (!posix(dir)) {
      return Optional.empty();
    }
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
      if (PRIVATE.containsAll(mode)) {
        return Optional.empty();
      }
      // rwx for the owner even if it had less: it is our own data directory
      Files.setPosixFilePermissions(dir, PRIVATE);
      return Optional.of(PosixFilePermissions.toString(mode));
    } catch (IOException e) {
      throw new IllegalStateException(what + " cannot be made private: " + reason(e), e);
    }
  }

  private static boolean posix(Path dir) {
    try {
      Path existing = dir;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      return existing != null
          && Files.getFileStore(existing).supportsFileAttributeView(PosixFileAttributeView.class);
    } catch (IOException e) {
      return false;
    }
  }

  /** The operating system's words, and the path they are about when it is not the one asked. */
  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException denied) {
      return "permission denied on " + denied.getFile();
    }
    if (e instanceof NoSuchFileException missing) {
      return "no such file or directory: " + missing.getFile();
    }
    if (e instanceof FileAlreadyExistsException exists) {
      return exists.getFile() + " exists and is not a directory";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason() + (fs.getFile() == null ? "" : " (" + fs.getFile() + ")");
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
