package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.TinyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Drives {@code /ui} in a real headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}; skipped with one line where they are missing): with an API key set, types two
 * sentences and a query, and checks the rendered similarity matrix and ranking against Embedder's
 * vectors. Leaves a screenshot at {@code target/playground.png}.
 */
class PlaygroundBrowserTest {

  private static final Path CHROMIUM = Path.of(System.getProperty("chromium", "/usr/bin/chromium"));
  private static final Path DRIVER =
      Path.of(System.getProperty("chromedriver", "/usr/bin/chromedriver"));
  private static final String KEY = "browser-test-key";

  @Test
  void playgroundShowsTheLibrarysSimilarities() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (!present) {
      System.out.println(
          "PlaygroundBrowserTest: SKIPPED, no browser: "
              + CHROMIUM
              + " or "
              + DRIVER
              + " is missing (apt-get install chromium chromium-driver)");
    }
    Assumptions.assumeTrue(present, "no " + CHROMIUM + " or " + DRIVER);

    Embedder embedder = TinyModel.embedder();
    List<String> sentences =
        List.of(
            "Mars is often referred to as the Red Planet.",
            "Knead the dough and let it rise for an hour.");
    String query = "Which planet is known as the Red Planet?";

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // no network but loopback here: keep Chromium from calling home
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1100,1400",
        "--user-data-dir="
            + Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chromium-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();

    try (EmbeddingServer server =
        new EmbeddingServer(ServerConfig.defaults().withPort(0).withApiKey(KEY), true).start()) {
      server.ready(embedder);
      WebDriver browser = new ChromeDriver(service, options);
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        browser.get(server.baseUrl() + "/ui");
        // the page loaded without the key, and asks for it
        WebElement key =
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        key.sendKeys(KEY);
        WebElement text = browser.findElement(By.id("sentences"));
        text.clear();
        text.sendKeys(String.join("\n", sentences));
        WebElement q = browser.findElement(By.id("query"));
        q.clear();
        q.sendKeys(query);
        browser.findElement(By.id("run")).click();
        wait.until(
            ExpectedConditions.textMatches(
                By.id("status"), java.util.regex.Pattern.compile("^(done|.*error|.*API key).*")));
        assertTrue(
            browser.findElement(By.id("status")).getText().startsWith("done"),
            browser.findElement(By.id("status")).getText());
        assertEquals("document", browser.findElement(By.id("prompt")).getDomProperty("value"));

        List<float[]> docs = embedder.embedAll(sentences, EmbedOptions.document());
        List<WebElement> cells = browser.findElements(By.cssSelector("#matrix td"));
        assertEquals(sentences.size() * sentences.size(), cells.size());
        for (int i = 0; i < sentences.size(); i++) {
          for (int j = 0; j < sentences.size(); j++) {
            double shown =
                Double.parseDouble(
                    cells.get(i * sentences.size() + j).getDomAttribute("data-value"));
            assertEquals(cosine(docs.get(i), docs.get(j)), shown, 1e-6, "cell " + i + "," + j);
          }
        }

        float[] qv = embedder.embedQuery(query);
        List<Integer> order = new ArrayList<>(List.of(0, 1));
        order.sort(Comparator.comparingDouble(i -> -cosine(qv, docs.get(i))));
        List<WebElement> ranked = browser.findElements(By.cssSelector("#ranked li"));
        assertEquals(order.size(), ranked.size());
        for (int r = 0; r < ranked.size(); r++) {
          int index = Integer.parseInt(ranked.get(r).getDomAttribute("data-index"));
          assertEquals(order.get(r), index, "rank " + r);
          assertEquals(
              cosine(qv, docs.get(index)),
              Double.parseDouble(ranked.get(r).getDomAttribute("data-value")),
              1e-6);
        }
        assertFalse(browser.findElement(By.id("heatmap")).getSize().getHeight() == 0);

        Path shot = Path.of("target", "playground.png").toAbsolutePath();
        Files.copy(
            ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(),
            shot,
            StandardCopyOption.REPLACE_EXISTING);
        System.out.println("PlaygroundBrowserTest: screenshot " + shot);
      } finally {
        browser.quit();
      }
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
