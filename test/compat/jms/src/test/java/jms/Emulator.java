package jms;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts the emulator CLI (dist/cli.js) on free ports with the suite's Config.json (its entities and an
 * entity-level policy: JMS cannot create entities); stops it with SIGTERM.
 */
final class Emulator implements AutoCloseable {
    static final String READY = "Emulator Service is Successfully Up!";
    static final String KEY_NAME = "RootManageSharedAccessKey";
    static final String KEY = "SAS_KEY_VALUE";

    final int amqpPort;
    private final Process process;

    private Emulator(int amqpPort, Process process) {
        this.amqpPort = amqpPort;
        this.process = process;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static Emulator start(Path workDir, Path config) throws Exception {
        Path root = Path.of(System.getProperty("repo.root", "../../..")).toAbsolutePath().normalize();
        Path cli = root.resolve("dist/cli.js");
        if (!Files.exists(cli)) throw new IllegalStateException(cli + " missing: run npm run build");
        Files.createDirectories(workDir.resolve("tls"));
        int amqp = freePort();
        List<String> cmd = List.of("node", cli.toString(), "--host", "127.0.0.1", "--config", config.toString(),
                "--amqp-port", String.valueOf(amqp), "--amqps-port", "off", "--http-port", String.valueOf(freePort()),
                "--tls-dir", workDir.resolve("tls").toString(),
                "--log-level", System.getenv().getOrDefault("SBEMU_LOG_LEVEL", "warn"));
        Process proc = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(workDir.resolve("emulator.log").toFile())).start();
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
        return new Emulator(amqp, proc);
    }

    /** What Azure's JMS guidance gives Qpid JMS, with the emulator's plain AMQP port. */
    String uri() {
        return "amqp://localhost:" + amqpPort;
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
