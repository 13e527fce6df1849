package io.github.longpollchat.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (the Debian {@code chromium} and {@code chromedriver} packages) with a
 * fresh profile, driven by Selenium, plus the page's test hooks ({@code data-testid}).
 *
 * <p>Nothing is downloaded: the driver executable is given to {@link ChromeDriverService}
 * (and as {@code webdriver.chrome.driver}), which makes Selenium skip Selenium Manager, and the
 * browser binary is set in the options. The browser is told to make no background requests
 * (component updates, sync, proxies, QUIC); the pages under test are all on 127.0.0.1.
 *
 * <p>Several windows of one browser share cookies and {@code localStorage}, where the page keeps
 * the member that its tabs of a room share; each tab has its own {@code sessionStorage}, where a
 * tab that runs alone keeps its client.
 */
final class Browser implements AutoCloseable {
    static final String CHROMIUM = System.getProperty("chat.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("chat.chromedriver", "/usr/bin/chromedriver");
    /** The longest any wait of these tests lasts unless it says otherwise. */
    static final Duration WAIT = Duration.ofSeconds(10);
    /**
     * Selenium warns at every start that it has no CDP classes for this Chromium's version; these
     * tests use no CDP (network conditions go through chromedriver's own command). Held here so
     * that the level sticks (java.util.logging keeps loggers weakly).
     */
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder"),
            java.util.logging.Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver"));

    static {
        QUIET.forEach(logger -> logger.setLevel(java.util.logging.Level.SEVERE));
    }

    private final String label;
    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private Browser(String label, Path profile, ChromeDriverService service, ChromeDriver driver) {
        this.label = label;
        this.profile = profile;
        this.service = service;
        this.driver = driver;
    }

    /** Starts a browser; its driver's log goes to {@code target/browser-logs/LABEL-chromedriver.log}. */
    static Browser start(String label) {
        return start(label, false);
    }

    /**
     * Starts a browser that also opens HTTPS pages whose certificate it cannot verify, as a test's
     * self-signed one ({@code TestKeystore}); their certificate is still checked by the test's own clients.
     */
    static Browser startAcceptingTestCertificates(String label) {
        return start(label, true);
    }

    private static Browser start(String label, boolean acceptInsecureCerts) {
        requireExecutable(CHROMIUM);
        requireExecutable(CHROMEDRIVER);
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER);
        Path profile;
        Path logs = Path.of("target", "browser-logs");
        try {
            Files.createDirectories(logs);
            profile = Files.createTempDirectory("chat-e2e-" + label + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .withLogFile(logs.resolve(label + "-chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.setAcceptInsecureCerts(acceptInsecureCerts);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-proxy-server", "--window-size=1200,900",
                "--disable-default-apps", "--disable-extensions", "--disable-domain-reliability", "--no-pings",
                "--disable-client-side-phishing-detection",
                "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
                // Left alone, Chromium still looks up its search engine, Google accounts, autofill and
                // update hosts; here no name but 127.0.0.1 resolves, so nothing leaves the machine, not even DNS.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return new Browser(label, profile, service, driver);
    }

    private static void requireExecutable(String path) {
        if (!Files.isExecutable(Path.of(path))) {
            throw new IllegalStateException(path + " is not there: install the Debian packages chromium and chromium-driver");
        }
    }

    ChromeDriver driver() {
        return driver;
    }

    String label() {
        return label;
    }

    // ---- windows ----

    /** Leaves only one window (the first handle) and shows about:blank in it. */
    void reset() {
        List<String> handles = new ArrayList<>(driver.getWindowHandles());
        for (int i = 1; i < handles.size(); i++) {
            driver.switchTo().window(handles.get(i));
            driver.close();
        }
        driver.switchTo().window(handles.get(0));
        driver.get("about:blank");
    }

    /** Opens a new tab (own sessionStorage, shared localStorage) and switches to it; returns its handle. */
    String newTab() {
        driver.switchTo().newWindow(WindowType.TAB);
        return driver.getWindowHandle();
    }

    void switchTo(String handle) {
        driver.switchTo().window(handle);
    }

    String handle() {
        return driver.getWindowHandle();
    }

    /** Opens the chat page of {@code base} in the current window, joining at once as {@code name}. */
    void openChat(URI base, String room, String name) {
        driver.get(chatUrl(base, room, name));
    }

    static String chatUrl(URI base, String room, String name) {
        return base + "?room=" + room + "&name=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
    }

    // ---- the page's hooks ----

    static By testId(String id) {
        return By.cssSelector("[data-testid=\"" + id + "\"]");
    }

    WebElement find(String testId) {
        return driver.findElement(testId(testId));
    }

    List<WebElement> findAll(String testId) {
        return driver.findElements(testId(testId));
    }

    String state() {
        return find("status").getAttribute("data-state");
    }

    /** Waits for the status to show this data-state. */
    void awaitState(String state, Duration timeout) {
        await(timeout, "status " + state, d -> state.equals(state()));
    }

    void awaitConnected() {
        awaitState("connected", WAIT);
    }

    /** Whether this tab holds the poll of its room's member ({@code data-leader} on the status). */
    boolean isLeader() {
        return "true".equals(find("status").getAttribute("data-leader"));
    }

    /**
     * From now on the page notes when each message text first appears ({@code window.__seenAt},
     * by a MutationObserver), so that the test's own polling adds nothing to a measured delay.
     */
    void watchMessages() {
        js("var list = document.querySelector('[data-testid=messages]');"
                + "window.__seenAt = window.__seenAt || {};"
                + "if (!window.__observer) {"
                + "  window.__observer = new MutationObserver(function () {"
                + "    list.querySelectorAll('[data-id] .text').forEach(function (t) {"
                + "      if (!(t.textContent in window.__seenAt)) { window.__seenAt[t.textContent] = Date.now(); }"
                + "    });"
                + "  });"
                + "  window.__observer.observe(list, {childList: true, subtree: true});"
                + "}");
    }

    /** When (epoch ms, the page's clock, which is the test's) the message first appeared since {@link #watchMessages}; null if not yet. */
    Long seenAt(String text) {
        Number at = (Number) js("return (window.__seenAt || {})[arguments[0]];", text);
        return at == null ? null : at.longValue();
    }

    /** The message list as the page shows it: one entry per child that has a data-id. */
    List<Shown> shown() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) js(
                "return Array.from(document.querySelectorAll('[data-testid=messages] > [data-id]')).map(function (li) {"
                + "  var text = li.querySelector('.text');"
                + "  var sender = li.querySelector('.sender');"
                + "  var event = li.querySelector('.event-text');"
                + "  return {id: Number(li.getAttribute('data-id')), cls: li.className,"
                + "    sender: sender ? sender.textContent : null, text: text ? text.textContent : null,"
                + "    event: event ? event.textContent : null};"
                + "});");
        List<Shown> result = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            result.add(new Shown(((Number) row.get("id")).longValue(), (String) row.get("cls"),
                    (String) row.get("sender"), (String) row.get("text"), (String) row.get("event")));
        }
        return result;
    }

    /** One child of the message list. */
    record Shown(long id, String cls, String sender, String text, String event) {
        boolean isMessage() {
            return text != null;
        }

        /** What every viewer sees alike ("own" styling aside): "3 alice: hi", "1 alice joined". */
        String line() {
            return id + " " + (isMessage() ? sender + ": " + text : event);
        }
    }

    static List<String> lines(List<Shown> shown) {
        return shown.stream().map(Shown::line).toList();
    }

    /** The ids of the shown messages whose text is exactly {@code text}. */
    List<Long> idsOfText(String text) {
        return shown().stream().filter(s -> text.equals(s.text())).map(Shown::id).toList();
    }

    List<String> members() {
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) js(
                "return Array.from(document.querySelectorAll('[data-testid=members] > *')).map(function (e) { return e.textContent; });");
        return names;
    }

    /** Types the text into the composer and presses Enter. */
    void type(String text) {
        WebElement input = find("message-input");
        input.clear();
        input.sendKeys(text);
    }

    void pressEnter() {
        find("message-input").sendKeys(Keys.ENTER);
    }

    void send(String text) {
        type(text);
        pressEnter();
    }

    /** Waits until a message with exactly this text is shown; returns its id. */
    long awaitMessage(String text, Duration timeout) {
        await(timeout, "message " + text, d -> !idsOfText(text).isEmpty());
        return idsOfText(text).get(0);
    }

    long awaitMessage(String text) {
        return awaitMessage(text, WAIT);
    }

    void awaitMembers(List<String> expected, Duration timeout) {
        await(timeout, "members " + expected, d -> members().equals(expected));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** A bounded wait; on timeout the message says what was awaited, in which browser, with the page's state. */
    <T> T await(Duration timeout, String what, Function<WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(50));
        wait.withMessage(() -> label + ": " + what + " (state " + safeState() + ", members " + safeMembers()
                + ", shown " + safeShown() + ")");
        return wait.until(condition::apply);
    }

    private String safeState() {
        try {
            return state();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private String safeMembers() {
        try {
            return members().toString();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private String safeShown() {
        try {
            return shown().toString();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** The console messages since the last call (for diagnostics). */
    List<String> consoleLog() {
        List<String> lines = new ArrayList<>();
        try {
            for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                lines.add(entry.getLevel() + " " + entry.getMessage());
            }
        } catch (RuntimeException e) {
            lines.add("(no console log: " + e + ")");
        }
        return lines;
    }

    byte[] screenshot() {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind is no failure
        }
    }
}
