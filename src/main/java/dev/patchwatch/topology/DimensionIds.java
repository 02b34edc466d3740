package dev.patchwatch.topology;

import dev.patchwatch.avro.Dimension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dictionaries of dimension values, shared by every window of one processor: each country, ASN and
 * scanner gets a small id once, by which counters find their rows. Looked up for every host of
 * every pass, so each kind has a path that allocates nothing: a country's two letters index a
 * table, ASNs sit in an open-addressing table of longs, and a scanner is found by the bytes of its
 * name in a stored record.
 */
final class DimensionIds {

  private static final int FREE = -1;

  /** Id + 1 of each two-letter country (the contract's form), by its two characters; 0: none. */
  private final int[] countryByCode = new int[1 << 16];

  private final List<String> countryNames = new ArrayList<>();

  private long[] asnKeys = new long[1024];
  private int[] asnIds = filled(1024);
  private int asnCount;
  private final List<String> asnNames = new ArrayList<>();

  private final Map<String, Integer> scannersByName = new HashMap<>();
  private byte[][] scannerKeys = new byte[64][];
  private int[] scannerIds = new int[64];
  private final List<String> scannerNames = new ArrayList<>();

  /** A country: two ASCII letters, its only form once validated (and how records store it). */
  int country(String country) {
    if (country.length() != 2) {
      throw new IllegalArgumentException("a country is two letters, not \"" + country + "\"");
    }
    return country(country.charAt(0), country.charAt(1));
  }

  /** The country of two letters (bytes of a stored record, or characters). */
  int country(int first, int second) {
    int code = (first & 0xFF) << 8 | second & 0xFF;
    int id = countryByCode[code] - 1;
    if (id < 0) {
      id =
          add(countryNames, new String(new char[] {(char) (first & 0xFF), (char) (second & 0xFF)}));
      countryByCode[code] = id + 1;
    }
    return id;
  }

  int asn(long asn) {
    int mask = asnKeys.length - 1;
    for (int i = spread(Long.hashCode(asn)) & mask; ; i = (i + 1) & mask) {
      if (asnIds[i] == FREE) {
        int id = add(asnNames, Long.toString(asn));
        asnKeys[i] = asn;
        asnIds[i] = id;
        if (++asnCount * 2 > asnKeys.length) {
          growAsns();
        }
        return id;
      }
      if (asnKeys[i] == asn) {
        return asnIds[i];
      }
    }
  }

  int scanner(String scanner) {
    Integer id = scannersByName.get(scanner);
    return id != null ? id : addScanner(scanner, scanner.getBytes(StandardCharsets.US_ASCII));
  }

  /** The scanner named by {@code length} ASCII bytes of {@code bytes} from {@code from}. */
  int scanner(byte[] bytes, int from, int length) {
    int mask = scannerKeys.length - 1;
    for (int i = spread(hash(bytes, from, length)) & mask; ; i = (i + 1) & mask) {
      byte[] key = scannerKeys[i];
      if (key == null) {
        String name = new String(bytes, from, length, StandardCharsets.US_ASCII);
        return addScanner(name, Arrays.copyOfRange(bytes, from, from + length));
      }
      if (Arrays.equals(key, 0, key.length, bytes, from, from + length)) {
        return scannerIds[i];
      }
    }
  }

  String name(Dimension dimension, int id) {
    return switch (dimension) {
      case GLOBAL -> WindowCounts.ALL;
      case COUNTRY -> countryNames.get(id);
      case ASN -> asnNames.get(id);
      case SCANNER -> scannerNames.get(id);
    };
  }

  private int addScanner(String name, byte[] bytes) {
    int id = add(scannerNames, name);
    scannersByName.put(name, id);
    if (scannerNames.size() * 2 > scannerKeys.length) {
      byte[][] keys = scannerKeys;
      int[] ids = scannerIds;
      scannerKeys = new byte[keys.length * 2][];
      scannerIds = new int[keys.length * 2];
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] != null) {
          putScanner(keys[i], ids[i]);
        }
      }
    }
    putScanner(bytes, id);
    return id;
  }

  private void putScanner(byte[] key, int id) {
    int mask = scannerKeys.length - 1;
    int i = spread(hash(key, 0, key.length)) & mask;
    while (scannerKeys[i] != null) {
      i = (i + 1) & mask;
    }
    scannerKeys[i] = key;
    scannerIds[i] = id;
  }

  private void growAsns() {
    long[] keys = asnKeys;
    int[] ids = asnIds;
    asnKeys = new long[keys.length * 2];
    asnIds = filled(keys.length * 2);
    int mask = asnKeys.length - 1;
    for (int j = 0; j < keys.length; j++) {
      if (ids[j] != FREE) {
        int i = spread(Long.hashCode(keys[j])) & mask;
        while (asnIds[i] != FREE) {
          i = (i + 1) & mask;
        }
        asnKeys[i] = keys[j];
        asnIds[i] = ids[j];
      }
    }
  }

  private static int hash(byte[] bytes, int from, int length) {
    int h = 1;
    for (int i = from; i < from + length; i++) {
      h = 31 * h + bytes[i];
    }
    return h;
  }

  private static int spread(int h) {
    return (h ^ (h >>> 16)) * 0x45d9f3b;
  }

  private static int[] filled(int size) {
    int[] ids = new int[size];
    Arrays.fill(ids, FREE);
    return ids;
  }

  private static int add(List<String> names, String name) {
    names.add(name);
    return names.size() - 1;
  }
}
