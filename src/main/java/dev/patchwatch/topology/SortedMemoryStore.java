package dev.patchwatch.topology;

import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.TreeSet;
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
 * The host state's in-memory store: values in a hash map, keys in a sorted set whose ranges the
 * iterators walk themselves. Kafka Streams' own in-memory store copies the keys of every range into
 * a new set and looks each one up again, so that other threads may query it; at hundreds of
 * thousands of host-days a day that copy was most of an EXPOSURE pass. Only the stream thread that
 * owns the task reads and writes this store (it is not offered to interactive queries), and no
 * caller writes while it iterates, so an iterator may walk the key set directly; adding or deleting
 * a key during an iteration fails the iteration, it never returns a wrong record.
 *
 * <p>Like Kafka's, the store is not persistent: the changelog restores it in full when its task
 * starts, and it starts empty.
 */
final class SortedMemoryStore implements KeyValueStore<Bytes, byte[]> {

  private final String name;
  // Values by key for reads and rewrites, and the keys in order for ranges: a point read or the
  // rewrite of a stored key costs a hash lookup, not a walk down a tree comparing long shared key
  // prefixes; only a new key or a delete touches the tree.
  private final Map<Bytes, byte[]> values = new HashMap<>();
  private final NavigableSet<Bytes> keys = new TreeSet<>();
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
    values.clear();
    keys.clear();
    open = false;
  }

  /** Never advanced: the store answers no interactive queries, whose consistency it tracks. */
  @Override
  public Position getPosition() {
    return position;
  }

  @Override
  public byte[] get(Bytes key) {
    return values.get(key);
  }

  /** A null value deletes, as the changelog's tombstones do. */
  @Override
  public void put(Bytes key, byte[] value) {
    if (value == null) {
      delete(key);
    } else if (values.put(key, value) == null) {
      keys.add(key);
    }
  }

  @Override
  public byte[] putIfAbsent(Bytes key, byte[] value) {
    byte[] existing = values.get(key);
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
    byte[] old = values.remove(key);
    if (old != null) {
      keys.remove(key);
    }
    return old;
  }

  /** Keys from {@code from} to {@code to}, both included; a null bound is open. */
  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    if (from != null && to != null && from.compareTo(to) > 0) {
      return new Entries(Collections.emptyIterator());
    }
    NavigableSet<Bytes> part = keys;
    if (from != null) {
      part = part.tailSet(from, true);
    }
    if (to != null) {
      part = part.headSet(to, true);
    }
    return new Entries(part.iterator());
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return new Entries(keys.iterator());
  }

  @Override
  public long approximateNumEntries() {
    return values.size();
  }

  private final class Entries implements KeyValueIterator<Bytes, byte[]> {
    private final Iterator<Bytes> entries;
    private Bytes next;

    Entries(Iterator<Bytes> entries) {
      this.entries = entries;
    }

    @Override
    public boolean hasNext() {
      if (next == null && entries.hasNext()) {
        next = entries.next();
      }
      return next != null;
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      KeyValue<Bytes, byte[]> result = KeyValue.pair(next, values.get(next));
      next = null;
      return result;
    }

    @Override
    public Bytes peekNextKey() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return next;
    }

    @Override
    public void close() {}
  }
}
