package io.compactor.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HostSettingsTest {
  @Test
  void defaultsArePollEvery200MsAndDrainForAMinute() {
    HostSettings s = HostSettings.of(Path.of("bundles"));

    assertEquals(Duration.ofMillis(200), s.poll());
    assertEquals(Duration.ofSeconds(60), s.drainTimeout());
    assertTrue(s.watchedDirectory().isAbsolute(), s.watchedDirectory().toString());
  }

  @Test
  void aPollOutsideTheSensibleRangeSaysWhatIsAllowed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HostSettings.of(Path.of("bundles")).withPoll(Duration.ofMillis(1)));

    assertEquals("host: poll must be between 10 ms and 60 s, got 1 ms; 100 to 500 ms is a sensible range",
        e.getMessage());
  }
}
