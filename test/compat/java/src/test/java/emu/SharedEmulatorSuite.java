package emu;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        emu = Emulator.start(work, Emulator.freePort());
        emu.trustCa(work);
        admin = new ServiceBusAdministrationClientBuilder()
                .credential("localhost:" + emu.httpPort,
                        new SasCredential("https://localhost:" + emu.httpPort + "/", Emulator.KEY_NAME, Emulator.KEY))
                .buildClient();
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
}
