package org.sanctionnet.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * An embedded Neo4j Community DBMS with a Bolt connector, for tests and development.
 *
 * <p>Usage: {@code Launcher --home DIR --port N [--password PW] [--plugins DIR]
 * [--conf key=value]...}. Without {@code --password} authentication is off. The DBMS
 * runs until standard input closes (so it dies with the process that started it) or
 * the JVM is asked to stop (SIGTERM, SIGINT); either way it shuts down cleanly.
 * "READY" is printed once Bolt accepts connections.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws IOException {
        Path home = null;
        int port = -1;
        String password = null;
        Map<String, String> config = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--home" -> home = Path.of(require(args[i], value)).toAbsolutePath();
                case "--port" -> port = Integer.parseInt(require(args[i], value));
                case "--password" -> password = require(args[i], value);
                case "--plugins" -> config.put("server.directories.plugins",
                        Path.of(require(args[i], value)).toAbsolutePath().toString());
                case "--conf" -> {
                    String pair = require(args[i], value);
                    int eq = pair.indexOf('=');
                    if (eq < 1) {
                        usage("--conf wants key=value, got " + pair);
                    }
                    config.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (home == null || port <= 0) {
            usage("--home and --port are required");
        }

        Map<String, String> settings = new LinkedHashMap<>();
        String address = "127.0.0.1:" + port;
        settings.put("server.bolt.enabled", "true");
        settings.put("server.bolt.listen_address", address);
        settings.put("server.bolt.advertised_address", address);
        settings.put("dbms.security.auth_enabled", Boolean.toString(password != null));
        // GDS procedures touch kernel internals; Neo4j refuses them unless unrestricted.
        settings.put("dbms.security.procedures.unrestricted", "gds.*");
        // A test server must not phone home.
        settings.put("dbms.usage_report.enabled", "false");
        // Small defaults for a test graph; --conf overrides them.
        settings.put("server.memory.pagecache.size", "64m");
        settings.put("db.tx_log.rotation.retention_policy", "1 files");
        // Netty's default 2 x 5 s quiet period made every shutdown take 10 s.
        settings.put("internal.dbms.bolt.netty_server_shutdown_quiet_period", "0");
        settings.putAll(config);

        // The 5.26 builder takes raw settings only from a file; keeping it also shows
        // what the server ran with.
        Files.createDirectories(home);
        Path conf = home.resolve("neo4j.conf");
        StringBuilder text = new StringBuilder();
        settings.forEach((key, val) -> text.append(key).append('=').append(val).append('\n'));
        Files.writeString(conf, text.toString());
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(conf)
                .build();
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                System.out.println("STOPPING");
                dbms.shutdown();
                System.out.println("STOPPED");
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "neo4j-shutdown"));

        if (password != null) {
            // Idempotent, so a restart on the same home keeps working.
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        }
        System.out.println("READY bolt://" + address);
        System.out.flush();

        drain(System.in);
        stop.run();
        System.exit(0);
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Input is ignored: only its end matters.
            }
        } catch (IOException closed) {
            // A broken stdin means the parent has gone: stop as for end of input.
        }
    }

    private static String require(String flag, String value) {
        if (value == null) {
            usage(flag + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: Launcher --home DIR --port N [--password PW] "
                + "[--plugins DIR] [--conf key=value]...");
        System.exit(2);
    }
}
