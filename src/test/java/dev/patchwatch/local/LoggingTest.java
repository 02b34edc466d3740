package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;

class LoggingTest {

  @Test
  void shouldMakeEveryLoggerVerboseAndThenGoBackToTheConfiguration() {
    // log4j2-test.xml quiets this one, as log4j2.xml does
    String quieted = "kafka.server.ReplicaManager";
    assertThat(LogManager.getLogger(quieted).getLevel()).isEqualTo(Level.FATAL);
    try {
      Logging.setVerbose(true);

      assertThat(LogManager.getLogger(quieted).getLevel()).isEqualTo(Level.INFO);
      assertThat(LogManager.getRootLogger().getLevel()).isEqualTo(Level.INFO);
    } finally {
      Logging.setVerbose(false);
    }
    assertThat(LogManager.getLogger(quieted).getLevel()).isEqualTo(Level.FATAL);
    assertThat(LogManager.getRootLogger().getLevel()).isEqualTo(Level.WARN);
  }
}
