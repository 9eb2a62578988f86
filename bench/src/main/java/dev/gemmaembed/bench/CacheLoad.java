package dev.gemmaembed.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load of one-text {@code POST /v1/embeddings} requests from {@code clients} threads for {@code
 * seconds}, of which a {@code repeat} share asks for a text asked before: the measure of {@code
 * serve --cache-mb}. Each text is 16 tokens ({@code <bos>} + 14 + {@code <eos>}): "item NNNNNN
 * brown fox jumps over the dog", NNNNNN from a pool of 64 for a repeated text, else a number never
 * used before (the run's tag, 0 to 99, selects its own block of numbers). Prints requests per
 * second; fails on any answer but 200.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.gemmaembed.bench.CacheLoad URL CLIENTS SECONDS REPEAT_SHARE RUN_TAG
 * </pre>
 */
public final class CacheLoad {

  private static final int POOL = 64;

  private CacheLoad() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int clients = Integer.parseInt(args[1]);
    double seconds = Double.parseDouble(args[2]);
    double repeat = Double.parseDouble(args[3]);
    String tag = args[4];
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    URI uri = URI.create(url + "/v1/embeddings");
    AtomicLong done = new AtomicLong();
    AtomicLong unique = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    // the run's numbers: its tag selects a block of 10,000 so runs never share a text
    long base = 10_000L * Integer.parseInt(tag);
    CountDownLatch start = new CountDownLatch(1);
    long[] end = new long[1];
    Thread[] threads = new Thread[clients];
    for (int c = 0; c < clients; c++) {
      int client = c;
      threads[c] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    SplittableRandom random = new SplittableRandom(client * 7919L + base);
                    try {
                      start.await();
                      while (System.nanoTime() < end[0]) {
                        long n =
                            random.nextDouble() < repeat
                                ? base + random.nextInt(POOL)
                                : base + POOL + unique.getAndIncrement();
                        String text = "item %06d brown fox jumps over the dog".formatted(n);
                        HttpRequest request =
                            HttpRequest.newBuilder(uri)
                                .header("Content-Type", "application/json")
                                .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"m\",\"input\":\"" + text + "\"}"))
                                .build();
                        HttpResponse<String> r =
                            http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                          failed.incrementAndGet();
                        } else if (System.nanoTime() < end[0]) {
                          done.incrementAndGet();
                        }
                      }
                    } catch (Exception e) {
                      failed.incrementAndGet();
                      System.err.println("client " + client + ": " + e);
                    }
                  });
    }
    long t0 = System.nanoTime();
    end[0] = t0 + (long) (seconds * 1e9);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    System.out.printf(
        Locale.ROOT,
        "repeat %.0f%%: %.1f req/s (%d requests in %.0f s, %d failed)%n",
        repeat * 100,
        done.get() / seconds,
        done.get(),
        seconds,
        failed.get());
    if (failed.get() > 0) {
      System.exit(1);
    }
  }
}
