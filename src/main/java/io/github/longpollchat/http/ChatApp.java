package io.github.longpollchat.http;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.MemoryHub;
import io.github.longpollchat.hub.redis.RedisHub;
import io.github.longpollchat.metrics.ChatMetrics;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.annotation.WebListener;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * Assembles the chat in any servlet container: makes the {@link Hub} (in memory, or in Redis when
 * the {@code redis} setting names one) and registers the servlets around it. A container (Tomcat) finds it by its annotation and reads the settings from context
 * init-parameters over environment variables; the embedded launcher passes settings it parsed
 * from flags. Either way the same servlets serve the same paths, the operator's
 * ({@link #ADMIN_PATHS}) included.
 */
@WebListener
public final class ChatApp implements ServletContextListener {
    /** The context attribute under which the hub is kept. */
    public static final String HUB = Hub.class.getName();
    /** The context attribute under which the body deadlines' timer is kept. */
    public static final String BODY_DEADLINES = BodyDeadlines.class.getName();
    /** Where the long poll is mapped; the jar's launcher gives connections on it a longer idle timeout. */
    public static final String POLL_PATH = "/get_msg";
    /** {@code /metrics}, {@code /healthz}, {@code /readyz}: the jar's launcher serves them on its admin port only. */
    public static final Set<String> ADMIN_PATHS = AdminServlet.PATHS;

    private final Settings preset;
    private Hub hub;
    private BodyDeadlines deadlines;

    /** For containers: settings from init-parameters and the environment. */
    public ChatApp() {
        this(null);
    }

    /** For the embedded server: settings already resolved. */
    public ChatApp(Settings settings) {
        this.preset = settings;
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Settings settings = preset != null ? preset : fromContainer(context);
        ChatMetrics metrics = new ChatMetrics();
        hub = settings.text(Option.REDIS).isEmpty() ? new MemoryHub(settings, metrics) : RedisHub.connect(settings, metrics);
        deadlines = new BodyDeadlines();
        AllowedHosts hosts = AllowedHosts.of(settings.text(Option.ALLOWED_HOSTS));
        context.setAttribute(HUB, hub);
        context.setAttribute(BODY_DEADLINES, deadlines);
        register(context, "page", new PageServlet(hub, deadlines, hosts, metrics), "/");
        register(context, "join", new JoinServlet(hub, deadlines, hosts, metrics, ClientAddress.of(settings.text(Option.TRUSTED_PROXIES))),
                "/join");
        register(context, "send", new SendServlet(hub, deadlines, hosts, metrics), "/send_msg");
        register(context, "get", new PollServlet(hub, deadlines, hosts, metrics), POLL_PATH);
        register(context, "leave", new LeaveServlet(hub, deadlines, hosts, metrics), "/leave");
        register(context, "admin", new AdminServlet(hub, metrics, AdminCallers.of(settings.text(Option.ADMIN_ALLOW))),
                ADMIN_PATHS.toArray(String[]::new));
    }

    private static void register(ServletContext context, String name, Servlet servlet, String... paths) {
        ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        registration.addMapping(paths);
    }

    /** Init-parameters named like the flags win over {@code CHAT_*} variables; host and port are the container's. */
    private static Settings fromContainer(ServletContext context) {
        Map<Option, String> explicit = new EnumMap<>(Option.class);
        for (Option option : Option.values()) {
            String value = context.getInitParameter(option.flag());
            if (value != null && !Option.JAR_ONLY.contains(option)) {
                explicit.put(option, value);
            }
        }
        return Settings.resolve(explicit, name -> isJarOnly(name) ? null : System.getenv(name));
    }

    private static boolean isJarOnly(String envName) {
        return Option.JAR_ONLY.stream().anyMatch(option -> option.env().equals(envName));
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (hub != null) {
            hub.close();
        }
        if (deadlines != null) {
            deadlines.close();
        }
    }
}
