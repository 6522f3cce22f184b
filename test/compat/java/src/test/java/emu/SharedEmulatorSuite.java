package emu;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * One emulator per test class, its admin client, and the clients to close after the class. The
 * work dir (hence the TLS dir and CA) is the one every suite shares: the JVM builds its default
 * SSLContext from javax.net.ssl.trustStore once, so all classes' emulators must have the same CA.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class SharedEmulatorSuite {
    protected Emulator emu;
    protected ServiceBusAdministrationClient admin;
    private final List<AutoCloseable> closers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path work = Path.of(System.getProperty("compat.workdir", "target/sbemu")).toAbsolutePath();
        Files.createDirectories(work);
        emu = startEmulator(work);
        emu.trustCa(work);
        admin = new ServiceBusAdministrationClientBuilder()
                .credential("localhost:" + emu.httpPort,
                        new SasCredential("https://localhost:" + emu.httpPort + "/", Emulator.KEY_NAME, Emulator.KEY))
                .buildClient();
    }

    /** How this class's emulator starts: on a free admin port unless a class needs otherwise. */
    protected Emulator startEmulator(Path work) throws Exception {
        return Emulator.start(work, Emulator.freePort());
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : closers) {
            try { c.close(); } catch (Exception ignored) { }
        }
        if (emu != null) emu.close();
    }

    /** A client builder without retries, so a refusal surfaces at once. */
    protected static ServiceBusClientBuilder builder(String connectionString) {
        return new ServiceBusClientBuilder().connectionString(connectionString)
                .retryOptions(new AmqpRetryOptions().setMaxRetries(0).setTryTimeout(Duration.ofSeconds(20)));
    }

    protected ServiceBusClientBuilder builder() {
        return builder(emu.connectionString());
    }

    protected <T extends AutoCloseable> T closing(T c) {
        closers.add(c);
        return c;
    }

    /** Receives until `n` messages came or `wait` ran out (one receive call may return fewer). */
    protected static List<ServiceBusReceivedMessage> receive(ServiceBusReceiverClient r, int n, Duration wait) {
        List<ServiceBusReceivedMessage> out = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            r.receiveMessages(n - out.size(), Duration.ofMillis(Math.max(200, (deadline - System.nanoTime()) / 1_000_000)))
                    .forEach(out::add);
        }
        return out;
    }

    protected static List<String> bodies(List<ServiceBusReceivedMessage> messages) {
        return messages.stream().map(m -> m.getBody().toString()).collect(Collectors.toList());
    }
}
