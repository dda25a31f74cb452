package io.mallocscope.cli.html;

import io.mallocscope.cli.testing.MiniJson;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Just enough of a W3C WebDriver client to drive headless Chromium through chromedriver over HTTP
 * (java.net.http; no Selenium). Every request and wait is bounded; {@link #close()} ends the session,
 * then kills chromedriver and its browser, and deletes the throw-away profile.
 */
final class HeadlessChromium implements AutoCloseable {
    // bounds against a hung browser, not expectations: a loaded 2-core machine can take many times the usual second
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final java.util.regex.Pattern LISTENING = java.util.regex.Pattern.compile("started successfully on port (\\d+)");

    private final Process driver;
    private final Path profile;
    private final Path driverLog;
    private final HttpClient http;
    private final String base;
    private String session;

    private HeadlessChromium(Process driver, Path profile, Path driverLog, int port) {
        this.driver = driver;
        this.profile = profile;
        this.driverLog = driverLog;
        this.base = "http://127.0.0.1:" + port;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The chromium binary, or empty: {@code $CHROMIUM}, else the first of the usual names on the PATH. */
    static Optional<Path> findChromium() {
        return find("CHROMIUM", "chromium", "chromium-browser", "google-chrome");
    }

    /** Why a browser test cannot run here (chromium or chromedriver missing), or null when both are found. */
    static String missing() {
        var chromium = findChromium();
        var driver = findChromedriver();
        if (chromium.isPresent() && driver.isPresent()) {
            return null;
        }
        return "browser test skipped: needs chromium and chromedriver (Debian packages chromium,"
                + " chromium-driver; or set $CHROMIUM and $CHROMEDRIVER); found chromium=" + chromium.orElse(null)
                + ", chromedriver=" + driver.orElse(null);
    }

    /** chromedriver: {@code $CHROMEDRIVER}, else on the PATH. */
    static Optional<Path> findChromedriver() {
        return find("CHROMEDRIVER", "chromedriver");
    }

    private static Optional<Path> find(String env, String... names) {
        String given = System.getenv(env);
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        List<Path> dirs = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        dirs.add(Path.of("/usr/bin"));
        dirs.add(Path.of("/usr/lib/chromium"));
        for (String n : names) {
            for (Path d : dirs) {
                Path p = d.resolve(n);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts chromedriver on a port it picks itself ({@code --port=0}; it prints which) and opens a headless browser
     * session. Picking a free port here and handing it over would leave a moment in which another process can take it.
     */
    static HeadlessChromium start(Path chromium, Path chromedriver, Path workDir, int width, int height)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(workDir, "chromium-profile-");
        Path log = workDir.resolve("chromedriver.log");
        Path out = workDir.resolve("chromedriver.out");
        Process p = new ProcessBuilder(chromedriver.toString(), "--port=0", "--allowed-ips=127.0.0.1",
                "--log-path=" + log).redirectErrorStream(true).redirectOutput(out.toFile())
                .start();
        int port;
        try {
            port = awaitPort(p, out);
        } catch (IOException | InterruptedException | RuntimeException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            deleteTree(profile);
            throw e;
        }
        HeadlessChromium c = new HeadlessChromium(p, profile, log, port);
        try {
            c.awaitReady();
            c.newSession(chromium, width, height);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The port chromedriver says it listens on ("… started successfully on port N."). */
    private static int awaitPort(Process driver, Path out) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            String said = Files.exists(out) ? Files.readString(out) : "";
            java.util.regex.Matcher m = LISTENING.matcher(said);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!driver.isAlive()) {
                throw new IOException("chromedriver exited with status " + driver.exitValue() + ": " + said.strip());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("chromedriver named no port after " + STARTUP_TIMEOUT.toSeconds() + " s: " + said.strip());
            }
            Thread.sleep(50);
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (!driver.isAlive()) {
                throw new IOException("chromedriver exited with status " + driver.exitValue());
            }
            try {
                Object ready = MiniJson.object(value(send("GET", "/status", null))).get("ready");
                if (Boolean.TRUE.equals(ready)) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("chromedriver not ready after " + STARTUP_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private void newSession(Path chromium, int width, int height) throws IOException, InterruptedException {
        List<String> args = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile);
        StringBuilder a = new StringBuilder();
        for (String s : args) {
            a.append(a.length() == 0 ? "" : ",").append(quote(s));
        }
        String body = "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\",\"pageLoadStrategy\":\"normal\","
                + "\"timeouts\":{\"pageLoad\":60000,\"script\":60000},"
                + "\"goog:chromeOptions\":{\"binary\":" + quote(chromium.toString()) + ",\"args\":[" + a + "]}}}}";
        Map<String, Object> v = MiniJson.object(value(send("POST", "/session", body)));
        session = (String) v.get("sessionId");
    }

    /** Loads {@code url} and waits (bounded by the page-load timeout) until it has loaded. */
    void navigate(URI url) throws IOException, InterruptedException {
        value(send("POST", "/session/" + session + "/url", "{\"url\":" + quote(url.toString()) + "}"));
    }

    /** Runs {@code script} (a function body; may {@code return} JSON-able values) and returns its result. */
    Object execute(String script) throws IOException, InterruptedException {
        return value(send("POST", "/session/" + session + "/execute/sync",
                "{\"script\":" + quote(script) + ",\"args\":[]}"));
    }

    /** Presses and releases one key (a WebDriver key code such as {@code \uE014}, ArrowRight) on the focused element. */
    void pressKey(String key) throws IOException, InterruptedException {
        String k = quote(key);
        value(send("POST", "/session/" + session + "/actions", "{\"actions\":[{\"type\":\"key\",\"id\":\"keyboard\","
                + "\"actions\":[{\"type\":\"keyDown\",\"value\":" + k + "},{\"type\":\"keyUp\",\"value\":" + k + "}]}]}"));
        value(send("DELETE", "/session/" + session + "/actions", null));
    }

    /** Moves the mouse to ({@code x}, {@code y}) in the viewport (CSS pixels) and clicks there, as a user would. */
    void click(double x, double y) throws IOException, InterruptedException {
        value(send("POST", "/session/" + session + "/actions", "{\"actions\":[{\"type\":\"pointer\",\"id\":\"mouse\","
                + "\"parameters\":{\"pointerType\":\"mouse\"},\"actions\":["
                + "{\"type\":\"pointerMove\",\"duration\":0,\"origin\":\"viewport\",\"x\":" + Math.round(x)
                + ",\"y\":" + Math.round(y) + "},"
                + "{\"type\":\"pointerDown\",\"button\":0},{\"type\":\"pointerUp\",\"button\":0}]}]}"));
        value(send("DELETE", "/session/" + session + "/actions", null));
    }

    /** A PNG of the viewport. */
    byte[] screenshot() throws IOException, InterruptedException {
        return Base64.getDecoder().decode((String) value(send("GET", "/session/" + session + "/screenshot", null)));
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                send("DELETE", "/session/" + session, null);
            }
        } catch (IOException | InterruptedException | RuntimeException ignored) {
            // the processes are killed below either way
        } finally {
            session = null;
            List<ProcessHandle> tree = new ArrayList<>();
            driver.descendants().forEach(tree::add);
            tree.forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
            try {
                driver.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deleteTree(profile);
        }
    }

    /** The end of chromedriver's log, for failure messages. */
    String driverLogTail() {
        try {
            List<String> lines = Files.readAllLines(driverLog);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no chromedriver log)";
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The "value" member of a WebDriver response; an error response becomes an IOException with its message. */
    private static Object value(HttpResponse<String> r) throws IOException {
        Map<String, Object> o = MiniJson.object(MiniJson.parse(r.body()));
        Object v = o.get("value");
        if (r.statusCode() != 200) {
            Map<String, Object> err = v instanceof Map ? MiniJson.object(v) : Map.of();
            throw new IOException("WebDriver " + r.statusCode() + " " + err.get("error") + ": " + err.get("message"));
        }
        return v;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        new Json(sb).value(s);
        return sb.toString();
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover profile in target/ is harmless
        }
    }
}
