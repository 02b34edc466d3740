package dev.patchwatch.topology;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store that holds nothing and tells its processor that the task is about to commit, so the
 * processor can write what it kept in memory since the last commit into its real stores, in the
 * transaction that commits it.
 *
 * <p>Kafka Streams has no public hook at commit. It flushes the caches of the task's stores before
 * it flushes the producer and commits ({@code StreamTask.flush}: {@code
 * ProcessorStateManager.flushCache}, then {@code RecordCollector.flush}), and it does so for every
 * registered store that is a {@link CachedStateStore}, an interface of its internals; this store is
 * one. The stores it writes into must not be cached, or the writes would wait in their caches until
 * the next commit. A task that dies before committing loses what its processor kept, as it loses
 * its uncommitted changelog records: its input is read again from the last commit. Kafka 4.4.0
 * behaves so; {@code CommitHookTest} fails if a later version stops calling it.
 */
final class CommitHook implements StateStore, CachedStateStore<Object, Object> {

  private final String name;
  private Runnable listener = () -> {};
  private boolean open;

  CommitHook(String name) {
    this.name = name;
  }

  /** Runs {@code listener} on the stream thread each time the task commits (or closes cleanly). */
  void onCommit(Runnable listener) {
    this.listener = listener;
  }

  @Override
  public void flushCache() {
    listener.run();
  }

  @Override
  public void clearCache() {}

  @Override
  public boolean setFlushListener(
      CacheFlushListener<Object, Object> flushListener, boolean sendOldValues) {
    return false;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    context.register(root, (key, value) -> {});
    listener = () -> {};
    open = true;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    listener = () -> {};
    open = false;
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
  public Position getPosition() {
    return Position.emptyPosition();
  }

  static StoreBuilder<CommitHook> builder(String name) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<CommitHook> withCachingEnabled() {
        return this;
      }

      @Override
      public StoreBuilder<CommitHook> withCachingDisabled() {
        return this;
      }

      @Override
      public StoreBuilder<CommitHook> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException("a commit hook holds nothing to log");
      }

      @Override
      public StoreBuilder<CommitHook> withLoggingDisabled() {
        return this;
      }

      @Override
      public CommitHook build() {
        return new CommitHook(name);
      }

      @Override
      public Map<String, String> logConfig() {
        return Map.of();
      }

      @Override
      public boolean loggingEnabled() {
        return false;
      }

      @Override
      public String name() {
        return name;
      }
    };
  }
}
