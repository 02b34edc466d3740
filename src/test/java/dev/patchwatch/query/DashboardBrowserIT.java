package dev.patchwatch.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.reference.RandomEvents;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, at fixed paths:
 * nothing is downloaded) on a running stack with today's data, some windows final and some still
 * open: the points drawn are the API's, and a country clicked in the breakdown becomes the curve;
 * the cohort survival curve drawn is the API's cohort (the earliest, then one chosen in its
 * selector), and the compromised-but-remediated line the API's transitions.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class DashboardBrowserIT {

  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  /**
   * Set by {@code .ci/run}: the test then fails without the browser instead of being skipped, so CI
   * never passes without having drawn the dashboard.
   */
  static final String REQUIRE_BROWSER = "PATCHWATCH_REQUIRE_BROWSER";

  private static final Clock WALL = Clock.systemUTC();

  @TempDir Path dir;

  @Test
  void shouldDrawTheApisPointsAndFollowAClickedCountry() throws Exception {
    boolean installed = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
    if (System.getenv(REQUIRE_BROWSER) != null) {
      assertThat(installed)
          .as("Debian's chromium and chromium-driver at /usr/bin (.ci/run installs them)")
          .isTrue();
    }
    assumeTrue(
        installed,
        "Debian's chromium and chromium-driver are not installed at /usr/bin (.ci/run installs"
            + " them; set "
            + REQUIRE_BROWSER
            + " to fail instead)");
    // five days of scans up to now: the early windows close, today's stay open (live values)
    Instant start = WALL.instant().minus(Duration.ofDays(5)).truncatedTo(ChronoUnit.SECONDS);
    List<ScanEvent> events =
        RandomEvents.generate(
            2026,
            RandomEvents.Options.defaults()
                .withStart(start)
                .withDays(5)
                .withHosts(150)
                .withMaxDisorder(Duration.ofMinutes(30)));
    events =
        events.stream()
            .filter(e -> e.getObservedAt().isBefore(WALL.instant().plus(Duration.ofMinutes(30))))
            .toList();
    // as far as a live stack accepts (a day ahead): it passes every event, closes what it can,
    // and the windows ending in the days to come stay open
    Instant watermark = WALL.instant().plus(Duration.ofHours(23)).truncatedTo(ChronoUnit.HOURS);
    try (RunningStack stack =
        RunningStack.start("browser", 2, dir.resolve("state"), Optional.empty(), List.of(), WALL)) {
      stack.publishAndClose(events, watermark);
      String vulnerability = awaitFinalAndLivePoints(stack);

      ChromeDriver driver = browser();
      try {
        driver.get(stack.url("/?vulnerability=" + vulnerability).toString());
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(120));
        wait.until(
            d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));

        String curve = "/api/v1/curve?vulnerability=" + vulnerability;
        awaitDrawnEqualsApi(stack, driver, wait, curve);
        save(driver, "dashboard-global.png");

        String cohorts = "/api/v1/cohorts?vulnerability=" + vulnerability;
        JsonNode days = awaitCohorts(stack, cohorts);
        // the earliest by default
        awaitCohortDrawnEqualsApi(stack, driver, wait, cohorts, days.get(0));
        awaitTransitionsDrawnEqualsApi(
            stack, driver, wait, "/api/v1/transitions?vulnerability=" + vulnerability);
        save(driver, "dashboard-cohort.png");
        // another cohort chosen in the selector
        JsonNode second = days.get(1);
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("cohort-day")))
            .selectByValue(second.get("cohortDay").asText());
        awaitCohortDrawnEqualsApi(stack, driver, wait, cohorts, second);
        assertThat(driver.getCurrentUrl())
            .contains("cohortDay=" + second.get("cohortDay").asText());

        WebElement country =
            wait.until(
                d ->
                    d
                        .findElements(By.cssSelector("#breakdown tbody tr[data-dimension=COUNTRY]"))
                        .stream()
                        .findFirst()
                        .orElse(null));
        String value = country.getAttribute("data-value");
        country.findElement(By.tagName("button")).click();
        wait.until(
            d ->
                value.equals(d.findElement(By.id("curve")).getAttribute("data-value"))
                    && "COUNTRY"
                        .equals(d.findElement(By.id("curve")).getAttribute("data-dimension")));
        awaitDrawnEqualsApi(stack, driver, wait, curve + "&dimension=COUNTRY&value=" + value);
        assertThat(driver.getCurrentUrl()).contains("value=" + value);
        save(driver, "dashboard-country.png");
      } finally {
        driver.quit();
      }
    }
  }

  /**
   * The cohort uPlot draws is the API's: one x per age, the share of {@code cohort}'s members still
   * VULNERABLE at it (in %), and the caption names its day.
   */
  private static void awaitCohortDrawnEqualsApi(
      RunningStack stack, ChromeDriver driver, WebDriverWait wait, String path, JsonNode cohort)
      throws Exception {
    String day = cohort.get("cohortDay").asText();
    JsonNode body = stack.json(path + "&cohortDay=" + day);
    List<String> expected = new ArrayList<>();
    for (JsonNode p : body.get("points")) {
      expected.add(
          p.get("ageDays").asInt()
              + " "
              + String.format(
                  Locale.ROOT,
                  "%.6f",
                  100.0 * p.get("vulnerable").asLong() / p.get("cohortSize").asLong()));
    }
    assertThat(expected).as("a curve of several ages").hasSizeGreaterThan(1);
    assertThat(expected.get(0)).as("all VULNERABLE at age 0").isEqualTo("0 100.000000");
    List<String> last = new ArrayList<>();
    try {
      wait.until(
          d -> {
            @SuppressWarnings("unchecked")
            List<List<Object>> drawn =
                (List<List<Object>>)
                    ((JavascriptExecutor) d)
                        .executeScript(
                            "const u = window.patchwatch && window.patchwatch.cohort;"
                                + "if (!u || document.getElementById('cohort').dataset.cohortDay"
                                + " !== arguments[0]) return [];"
                                + "return u.data[0].map((x, i) => [x, u.data[1][i]]);",
                            day);
            List<String> shown = new ArrayList<>();
            for (List<Object> xy : drawn) {
              shown.add(
                  ((Number) xy.get(0)).intValue()
                      + " "
                      + String.format(Locale.ROOT, "%.6f", ((Number) xy.get(1)).doubleValue()));
            }
            last.clear();
            last.add("API " + expected);
            last.add("drawn " + shown);
            return expected.equals(shown);
          });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("the cohort drawn never matched the API: " + last, e);
    }
    assertThat(driver.findElement(By.id("cohort-caption")).getText())
        .contains("Cohort of " + day)
        .contains(String.format(Locale.ROOT, "%,d hosts", cohort.get("cohortSize").asLong()));
  }

  /** The compromised-but-remediated line drawn is the API's, day by day. */
  private static void awaitTransitionsDrawnEqualsApi(
      RunningStack stack, ChromeDriver driver, WebDriverWait wait, String path) throws Exception {
    List<String> expected = new ArrayList<>();
    for (JsonNode p : stack.json(path).get("points")) {
      long x = LocalDate.parse(p.get("date").asText()).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
      expected.add(x + " " + p.get("compromisedButRemediated").asLong());
    }
    assertThat(expected).as("transitions of several days").hasSizeGreaterThan(1);
    List<String> last = new ArrayList<>();
    try {
      wait.until(
          d -> {
            @SuppressWarnings("unchecked")
            List<String> drawn =
                (List<String>)
                    ((JavascriptExecutor) d)
                        .executeScript(
                            "const u = window.patchwatch && window.patchwatch.transitions;"
                                + "if (!u) return [];"
                                + "return u.data[0].map((x, i) => x + ' ' + u.data[1][i]);");
            last.clear();
            last.add("API " + expected);
            last.add("drawn " + drawn);
            return expected.equals(drawn);
          });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("the transitions drawn never matched the API: " + last, e);
    }
  }

  /** Waits until there are two cohorts, the earliest followed at least a day; returns them. */
  private static JsonNode awaitCohorts(RunningStack stack, String path) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      JsonNode days = stack.json(path).get("cohortDays");
      if (days.size() > 1 && days.get(0).get("ages").asInt() > 1) {
        return days;
      }
      assertThat(System.nanoTime())
          .as("cohorts of several closed days in time")
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** Waits until the curve has closed windows and open ones; returns its vulnerability. */
  private static String awaitFinalAndLivePoints(RunningStack stack) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (true) {
      JsonNode list = stack.json("/api/v1/vulnerabilities").get("vulnerabilities");
      if (!list.isEmpty()) {
        String vulnerability = list.get(0).get("vulnerability").asText();
        JsonNode points = stack.json("/api/v1/curve?vulnerability=" + vulnerability).get("points");
        boolean anyFinal = false;
        boolean anyLive = false;
        for (JsonNode p : points) {
          anyFinal |= p.get("final").asBoolean();
          anyLive |= !p.get("final").asBoolean();
        }
        if (anyFinal && anyLive) {
          return vulnerability;
        }
      }
      assertThat(System.nanoTime()).as("final and live points in time").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /**
   * The points uPlot holds are the API's: each date's x, and its exposed count in the final series
   * or in the live one. Live values may change between two looks, so it waits until both agree.
   */
  private static void awaitDrawnEqualsApi(
      RunningStack stack, ChromeDriver driver, WebDriverWait wait, String curve) {
    List<String> last = new ArrayList<>();
    try {
      wait.until(
          d -> {
            try {
              List<String> expected = new ArrayList<>();
              for (JsonNode p : stack.json(curve).get("points")) {
                long x =
                    LocalDate.parse(p.get("date").asText())
                        .atStartOfDay(ZoneOffset.UTC)
                        .toEpochSecond();
                expected.add(
                    x
                        + " "
                        + p.get("exposed").asLong()
                        + (p.get("final").asBoolean() ? " final" : " live"));
              }
              @SuppressWarnings("unchecked")
              List<String> drawn =
                  (List<String>)
                      ((JavascriptExecutor) d)
                          .executeScript(
                              "const u = window.patchwatch && window.patchwatch.curve;"
                                  + "if (!u) return [];"
                                  + "const out = [];"
                                  + "for (let i = 0; i < u.data[0].length; i++) {"
                                  + "  if (u.data[1][i] !== null) out.push(u.data[0][i] + ' ' + u.data[1][i] + ' final');"
                                  + "  else if (u.data[2][i] !== null) out.push(u.data[0][i] + ' ' + u.data[2][i] + ' live');"
                                  + "}"
                                  + "return out;");
              last.clear();
              last.add("API " + expected);
              last.add("drawn " + drawn);
              return !expected.isEmpty() && expected.equals(drawn);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("the points drawn never matched the API: " + last, e);
    }
    // the table of the page shows the same points
    List<WebElement> rows = driver.findElements(By.cssSelector("#points tbody tr"));
    assertThat(rows).isNotEmpty();
  }

  static ChromeDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static void save(ChromeDriver driver, String name) throws Exception {
    Path target = Path.of("target", "screenshots");
    Files.createDirectories(target);
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
