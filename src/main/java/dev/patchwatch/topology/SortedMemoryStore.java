package dev.patchwatch.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The host state's in-memory store: entries found by a hash index, ranges walked in a sorted array
 * of the same entries that is brought up to date only when a range is asked for. Kafka Streams' own
 * in-memory store copies the keys of every range into a new set and looks each one up again, so
 * that other threads may query it; at hundreds of thousands of host-days a day that copy was most
 * of an EXPOSURE pass. A sorted tree kept up to date at every new key cost a walk comparing long
 * shared key prefixes per event, while the host stage asks for ranges only when windows close: new
 * keys now wait in a list, and the first range after them sorts them and merges them in. The
 * aggregating stage's store is one too: it only puts and deletes, and reads everything once, at
 * init.
 *
 * <p>Only the stream thread that owns the task reads and writes this store (it is not offered to
 * interactive queries), and no caller adds or deletes a key while it iterates, so an iterator walks
 * the array directly; a new key or a delete during an iteration fails the iteration, it never
 * returns a wrong record. Rewriting a stored key's value does not.
 *
 * <p>Like Kafka's, the store is not persistent: the changelog restores it in full when its task
 * starts, and it starts empty.
 */
final class SortedMemoryStore implements KeyValueStore<Bytes, byte[]> {

  /**
   * One stored key; a deleted one keeps its place in the array, with no value, until the array is
   * compacted. Its bytes are held directly: sorting and searching compare them, one load fewer.
   */
  private static final class Entry {
    final Bytes key;
    final byte[] bytes;
    byte[] value;
    boolean inOrder;
    // the 16 bytes after the prefix that every key of a batch being sorted shares
    long head;
    long head2;

    Entry(Bytes key, byte[] value) {
      this.key = key;
      this.bytes = key.get();
      this.value = value;
    }
  }

  private static final Entry[] NONE = new Entry[0];

  private final String name;
  private final Map<Bytes, Entry> index = new HashMap<>();
  // The entries in key order, deleted ones kept in place until they are half of it; new ones wait
  // apart until the next range.
  private Entry[] ordered = NONE;
  private int deletedInOrder;
  private final List<Entry> added = new ArrayList<>();
  // Entries of the list above deleted since it was last emptied or compacted.
  private int deletedAdded;
  // Counts new keys and deletes: an iterator created before a change fails.
  private int changes;
  private final Position position = Position.emptyPosition();
  private volatile boolean open;

  SortedMemoryStore(String name) {
    this.name = name;
  }

  /** Supplies a new, empty store each time Kafka Streams builds a task's stores. */
  static KeyValueBytesStoreSupplier supplier(String name) {
    return new KeyValueBytesStoreSupplier() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public KeyValueStore<Bytes, byte[]> get() {
        return new SortedMemoryStore(name);
      }

      @Override
      public String metricsScope() {
        return "in-memory";
      }
    };
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    if (root != null) {
      context.register(root, (BatchingStateRestoreCallback) this::restore);
    }
    open = true;
  }

  private void restore(java.util.Collection<KeyValue<byte[], byte[]>> records) {
    for (KeyValue<byte[], byte[]> record : records) {
      put(Bytes.wrap(record.key), record.value);
    }
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    index.clear();
    ordered = NONE;
    deletedInOrder = 0;
    added.clear();
    deletedAdded = 0;
    changes++;
    open = false;
  }

  /** Never advanced: the store answers no interactive queries, whose consistency it tracks. */
  @Override
  public Position getPosition() {
    return position;
  }

  @Override
  public byte[] get(Bytes key) {
    Entry entry = index.get(key);
    return entry == null ? null : entry.value;
  }

  /** A null value deletes, as the changelog's tombstones do. */
  @Override
  public void put(Bytes key, byte[] value) {
    if (value == null) {
      delete(key);
      return;
    }
    Entry entry = index.get(key);
    if (entry != null) {
      entry.value = value;
    } else {
      entry = new Entry(key, value);
      index.put(key, entry);
      added.add(entry);
      changes++;
    }
  }

  @Override
  public byte[] putIfAbsent(Bytes key, byte[] value) {
    byte[] existing = get(key);
    if (existing == null) {
      put(key, value);
    }
    return existing;
  }

  @Override
  public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    for (KeyValue<Bytes, byte[]> entry : entries) {
      put(entry.key, entry.value);
    }
  }

  @Override
  public byte[] delete(Bytes key) {
    Entry entry = index.remove(key);
    if (entry == null) {
      return null;
    }
    byte[] old = entry.value;
    entry.value = null;
    if (entry.inOrder) {
      deletedInOrder++;
    } else if (++deletedAdded * 2 > added.size()) {
      // A store that is never ranged (the aggregating stage's) would otherwise keep every key it
      // ever held in the list of new ones.
      added.removeIf(e -> e.value == null);
      deletedAdded = 0;
    }
    changes++;
    return old;
  }

  /** Keys from {@code from} to {@code to}, both included; a null bound is open. */
  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    if (from != null && to != null && from.compareTo(to) > 0) {
      return new Entries(NONE, 0, 0);
    }
    sort();
    return new Entries(
        ordered,
        from == null ? 0 : firstAtOrAfter(from.get(), false),
        to == null ? ordered.length : firstAtOrAfter(to.get(), true));
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return range(null, null);
  }

  /** Entries kept for ordering, deleted ones included: what the store holds besides its index. */
  int entriesKept() {
    return ordered.length + added.size();
  }

  @Override
  public long approximateNumEntries() {
    return index.size();
  }

  /**
   * Merges the keys added since the last range into the ordered array. They usually sort after most
   * of it (their day is the newest), so the part before the first of them is copied whole; deleted
   * entries stay in place until they are more than half of the array, which is then compacted.
   */
  private void sort() {
    if (!added.isEmpty()) {
      List<Entry> fresh = new ArrayList<>(added.size());
      for (Entry entry : added) {
        if (entry.value != null) {
          entry.inOrder = true;
          fresh.add(entry);
        }
      }
      added.clear();
      deletedAdded = 0;
      sortBatch(fresh);
      merge(fresh);
    }
    if (deletedInOrder * 2 > ordered.length) {
      Entry[] kept = new Entry[ordered.length - deletedInOrder];
      int n = 0;
      for (Entry entry : ordered) {
        if (entry.value != null) {
          kept[n++] = entry;
        }
      }
      ordered = kept;
      deletedInOrder = 0;
    }
  }

  /** Merges sorted new entries into the ordered array. */
  private void merge(List<Entry> fresh) {
    if (fresh.isEmpty()) {
      return;
    }
    Entry[] merged = new Entry[ordered.length + fresh.size()];
    int i = firstAtOrAfter(fresh.get(0).bytes, false);
    System.arraycopy(ordered, 0, merged, 0, i);
    int n = i;
    for (Entry entry : fresh) {
      while (i < ordered.length && Arrays.compareUnsigned(ordered[i].bytes, entry.bytes) < 0) {
        merged[n++] = ordered[i++];
      }
      merged[n++] = entry;
    }
    System.arraycopy(ordered, i, merged, n, ordered.length - i);
    ordered = merged;
  }

  /**
   * Sorts new entries by key. Keys of one batch share a long prefix (day, and part of the
   * vulnerability when a day has several), so each is first compared by the 16 bytes after it, held
   * in the entry: most comparisons then read no key. Eight were too few: with several
   * vulnerabilities they held the rest of the vulnerability and the IP's first octet, which
   * thousands of hosts share.
   */
  private static void sortBatch(List<Entry> batch) {
    if (batch.size() < 2) {
      return;
    }
    byte[] first = batch.get(0).bytes;
    int shared = first.length;
    for (Entry entry : batch) {
      int mismatch = Arrays.mismatch(first, entry.bytes);
      if (mismatch >= 0) {
        shared = Math.min(shared, mismatch);
      }
    }
    for (Entry entry : batch) {
      entry.head = bytesAt(entry.bytes, shared);
      entry.head2 = bytesAt(entry.bytes, shared + Long.BYTES);
    }
    int from = shared + 2 * Long.BYTES;
    // Equal heads: the rest compared after them; keys that end within the heads were padded with
    // zeros, so only their lengths can still tell them apart.
    batch.sort(
        (x, y) -> {
          int c = Long.compareUnsigned(x.head, y.head);
          if (c == 0) {
            c = Long.compareUnsigned(x.head2, y.head2);
          }
          if (c == 0) {
            c =
                Arrays.compareUnsigned(
                    x.bytes,
                    Math.min(from, x.bytes.length),
                    x.bytes.length,
                    y.bytes,
                    Math.min(from, y.bytes.length),
                    y.bytes.length);
          }
          return c != 0 ? c : Integer.compare(x.bytes.length, y.bytes.length);
        });
  }

  /** The 8 bytes of {@code key} from {@code at}, big-endian, zeros past its end. */
  private static long bytesAt(byte[] key, int at) {
    long value = 0;
    for (int i = at; i < at + Long.BYTES; i++) {
      value = value << 8 | (i < key.length ? key[i] & 0xFF : 0);
    }
    return value;
  }

  /**
   * The index of the first ordered entry whose key is at least {@code key}, or greater than it if
   * {@code after}.
   */
  private int firstAtOrAfter(byte[] key, boolean after) {
    int low = 0;
    int high = ordered.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      int c = Arrays.compareUnsigned(ordered[mid].bytes, key);
      if (c < 0 || (after && c == 0)) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  private final class Entries implements KeyValueIterator<Bytes, byte[]> {
    private final Entry[] entries;
    private final int end;
    private final int expectedChanges;
    private int position;
    private Entry next;

    /** The live entries of {@code entries} from index {@code from} up to {@code end}, excluded. */
    Entries(Entry[] entries, int from, int end) {
      this.entries = entries;
      this.position = from;
      this.end = end;
      this.expectedChanges = changes;
    }

    @Override
    public boolean hasNext() {
      if (changes != expectedChanges) {
        throw new ConcurrentModificationException(
            "store " + name + " had a key added or deleted during an iteration");
      }
      while (next == null && position < end) {
        Entry entry = entries[position++];
        if (entry.value != null) {
          next = entry;
        }
      }
      return next != null;
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      KeyValue<Bytes, byte[]> result = KeyValue.pair(next.key, next.value);
      next = null;
      return result;
    }

    @Override
    public Bytes peekNextKey() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return next.key;
    }

    @Override
    public void close() {}
  }
}
