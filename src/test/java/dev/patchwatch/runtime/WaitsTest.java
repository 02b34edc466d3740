package dev.patchwatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;

class WaitsTest {

  @Test
  void shouldReturnTheValue() {
    assertThat(Waits.await(CompletableFuture.completedFuture(7), Duration.ofSeconds(1), "count"))
        .isEqualTo(7);
  }

  @Test
  void shouldSayWhatFailedAndKeepTheCause() {
    TopicExistsException cause = new TopicExistsException("Topic 'x' already exists.");

    assertThatThrownBy(
            () ->
                Waits.await(
                    CompletableFuture.failedFuture(cause), Duration.ofSeconds(1), "create x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot create x: Topic 'x' already exists.")
        .hasCause(cause);
  }

  @Test
  void shouldNameACauseWithoutAMessage() {
    assertThatThrownBy(
            () ->
                Waits.await(
                    CompletableFuture.failedFuture(new NullPointerException()),
                    Duration.ofSeconds(1),
                    "list topics"))
        .hasMessage("cannot list topics: NullPointerException");
  }

  @Test
  void shouldGiveUpAfterTheTimeout() {
    assertThatThrownBy(
            () -> Waits.await(new CompletableFuture<>(), Duration.ofMillis(20), "list topics"))
        .hasMessage("cannot list topics: no answer within 20 ms")
        .hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void shouldKeepTheInterruptFlag() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Waits.sleep(1_000, "the topology"))
          .hasMessage("interrupted while waiting for the topology");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
