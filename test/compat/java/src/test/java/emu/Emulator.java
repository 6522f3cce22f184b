package emu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Starts the emulator CLI (dist/cli.js) on free ports, with its own TLS dir; stops it with SIGTERM. */
public final class Emulator implements AutoCloseable {
    public static final String READY = "Emulator Service is Successfully Up!";
    public static final String KEY_NAME = "RootManageSharedAccessKey";
    public static final String KEY = "SAS_KEY_VALUE";

    public final int amqpPort;
    public final int amqpsPort;
    public final int httpPort;
    /** The --ws-port listener (AMQP over WebSockets), or -1 when off; the admin port serves it too. */
    public final int wsPort;
    public final Path tlsDir;
    private final Process process;

    private Emulator(int amqpPort, int amqpsPort, int httpPort, int wsPort, Path tlsDir, Process process) {
        this.amqpPort = amqpPort;
        this.amqpsPort = amqpsPort;
        this.httpPort = httpPort;
        this.wsPort = wsPort;
        this.tlsDir = tlsDir;
        this.process = process;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** True when this process may listen on the port (443 needs root). */
    static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static Emulator start(Path workDir, int httpPort) throws Exception {
        return start(workDir, httpPort, -1);
    }

    /** With wsPort >= 0, also the WebSocket port (--ws-port). */
    public static Emulator start(Path workDir, int httpPort, int wsPort) throws Exception {
        return start(workDir, httpPort, wsPort, List.of());
    }

    /** With further CLI arguments (e.g. --clock offset). */
    public static Emulator start(Path workDir, int httpPort, int wsPort, List<String> extra) throws Exception {
        Path root = Path.of(System.getProperty("repo.root", "../../..")).toAbsolutePath().normalize();
        Path cli = root.resolve("dist/cli.js");
        if (!Files.exists(cli)) throw new IllegalStateException(cli + " missing: run npm run build");
        Path tls = workDir.resolve("tls");
        Files.createDirectories(tls);
        int amqp = freePort(), amqps = freePort();
        // No entities (the tests create their own) and Send-only / Listen-only namespace policies.
        Path config = root.resolve("test/compat/auth-config.json");
        List<String> cmd = new ArrayList<>(List.of("node", cli.toString(), "--host", "127.0.0.1", "--config", config.toString(),
                "--amqp-port", String.valueOf(amqp), "--amqps-port", String.valueOf(amqps),
                "--http-port", String.valueOf(httpPort), "--tls-dir", tls.toString(),
                "--log-level", System.getenv().getOrDefault("SBEMU_LOG_LEVEL", "warn")));
        if (wsPort >= 0) cmd.addAll(List.of("--ws-port", String.valueOf(wsPort)));
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(workDir.resolve("emulator.log").toFile()));
        Process proc = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        StringBuilder out = new StringBuilder();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) { out.append(line).append('\n'); }
                    if (line.contains(READY)) ready.countDown();
                }
            } catch (IOException ignored) {
            }
        }, "emulator-stdout");
        pump.setDaemon(true);
        pump.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ready.await(50, TimeUnit.MILLISECONDS)) {
            if (!proc.isAlive()) throw new IllegalStateException("emulator exited " + proc.exitValue() + ": " + out);
            if (System.nanoTime() > deadline) {
                proc.destroyForcibly();
                throw new IllegalStateException("emulator not ready in 30 s: " + out);
            }
        }
        return new Emulator(amqp, amqps, httpPort, wsPort, tls, proc);
    }

    public String connectionString() {
        return "Endpoint=sb://localhost:" + amqpPort + ";SharedAccessKeyName=" + KEY_NAME + ";SharedAccessKey=" + KEY
                + ";UseDevelopmentEmulator=true;";
    }

    /** The admin connection string; Java's admin builder keeps only the host of the endpoint (port 443). */
    public String adminConnectionString() {
        String port = httpPort == 443 ? "" : ":" + httpPort;
        return "Endpoint=sb://localhost" + port + ";SharedAccessKeyName=" + KEY_NAME + ";SharedAccessKey=" + KEY
                + ";UseDevelopmentEmulator=true;";
    }

    public Path caPem() {
        return tlsDir.resolve("ca.pem");
    }

    /**
     * The one setting Java needs: a truststore holding the emulator's CA, used as javax.net.ssl.trustStore.
     * Built here with keytool, then set as the system property before any HTTPS client is created (the same as
     * passing -Djavax.net.ssl.trustStore=... -Djavax.net.ssl.trustStorePassword=changeit to the JVM).
     */
    public Path trustCa(Path workDir) throws Exception {
        Path store = workDir.resolve("truststore.p12");
        Files.deleteIfExists(store);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-importcert", "-noprompt", "-alias", "sbemu-ca", "-file", caPem().toString(),
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("keytool failed: " + output);
        System.setProperty("javax.net.ssl.trustStore", store.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        return store;
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
