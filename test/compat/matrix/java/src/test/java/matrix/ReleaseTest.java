package matrix;

import static org.junit.jupiter.api.Assertions.*;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.messaging.servicebus.*;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.azure.messaging.servicebus.models.SubQueue;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.*;

/**
 * The release matrix's scenarios for one azure-messaging-servicebus release (run.sh: mvn test -Dservicebus.version=...
 * under with_emulator.py, which provides the SBEMU_* variables). Only API that 7.15 already had. Test names match
 * the other languages' (results.py maps them to rows).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReleaseTest {
    private final List<AutoCloseable> closers = new ArrayList<>();

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null) throw new IllegalStateException(name + " is not set: run through matrix/with_emulator.py");
        return v;
    }

    @BeforeAll
    void trustEmulatorCa() throws Exception {
        if (!"amqps".equals(System.getenv("SBEMU_CONNECT"))) return;
        // The AMQPS port's certificate is signed by the emulator's CA: a truststore holding it, set as the JVM's
        // default before the first client builds its SSL context (same as -Djavax.net.ssl.trustStore=...).
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream pem = Files.newInputStream(Path.of(env("SBEMU_CA")))) {
            store.setCertificateEntry("sbemu-ca", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        Path file = Files.createTempFile("sbemu-truststore", ".p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, "changeit".toCharArray());
        }
        System.setProperty("javax.net.ssl.trustStore", file.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    }

    @AfterEach
    void close() {
        for (AutoCloseable c : closers) {
            try { c.close(); } catch (Exception ignored) { }
        }
        closers.clear();
    }

    private ServiceBusClientBuilder builder() {
        // maxRetries 1: an incompatible release fails in seconds instead of retrying for minutes
        ServiceBusClientBuilder b = new ServiceBusClientBuilder()
                .retryOptions(new AmqpRetryOptions().setMaxRetries(1).setTryTimeout(Duration.ofSeconds(20)));
        String conn = env("SBEMU_CONNECTION_STRING");
        if ("amqps".equals(System.getenv("SBEMU_CONNECT"))) {
            // 7.15 (azure-core-amqp 2.9) predates UseDevelopmentEmulator and refuses it ("Illegal connection string
            // parameter name"); it always speaks TLS, to port 5671 of the endpoint's host unless a custom endpoint
            // address says otherwise. So: the string without the flag, the custom endpoint at the AMQPS port.
            return b.connectionString(conn.replace("UseDevelopmentEmulator=true;", ""))
                    .customEndpointAddress("https://localhost:" + env("SBEMU_AMQPS_PORT"));
        }
        return b.connectionString(conn);
    }

    private <T extends AutoCloseable> T closing(T c) {
        closers.add(c);
        return c;
    }

    private ServiceBusReceiverClient receiver(String queue, ServiceBusReceiveMode mode, SubQueue subQueue) {
        return closing(builder().receiver().queueName(queue).receiveMode(mode).subQueue(subQueue).buildClient());
    }

    private void send(String queue, ServiceBusMessage... messages) {
        ServiceBusSenderClient sender = closing(builder().sender().queueName(queue).buildClient());
        for (ServiceBusMessage m : messages) sender.sendMessage(m);
    }

    /** Up to {@code count} messages: one receiveMessages call may return fewer than asked for. */
    private static List<ServiceBusReceivedMessage> receive(ServiceBusReceiverClient r, int count) {
        List<ServiceBusReceivedMessage> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (got.size() < count && System.nanoTime() < deadline) {
            r.receiveMessages(count - got.size(), Duration.ofSeconds(2)).forEach(got::add);
        }
        assertEquals(count, got.size(), "messages received");
        return got;
    }

    private static void assertNothingLeft(ServiceBusReceiverClient r) {
        assertEquals(List.of(), bodies(r.receiveMessages(1, Duration.ofSeconds(1))));
    }

    private static List<String> bodies(Iterable<ServiceBusReceivedMessage> messages) {
        List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.getBody().toString()));
        return out;
    }

    private static ServiceBusMessage message(String body, String sessionId) {
        return new ServiceBusMessage(body).setSessionId(sessionId);
    }

    @Test
    void sdkVersion() throws Exception {
        Properties p = new Properties();
        try (InputStream in = ServiceBusClientBuilder.class.getClassLoader().getResourceAsStream("azure-messaging-servicebus.properties")) {
            p.load(in);
        }
        assertEquals(env("SBEMU_SDK_VERSION"), p.getProperty("version"));
    }

    /** A single message and a batch; all three arrive, in order. */
    @Test
    void send() {
        ServiceBusSenderClient sender = closing(builder().sender().queueName("send").buildClient());
        sender.sendMessage(new ServiceBusMessage("single"));
        ServiceBusMessageBatch batch = sender.createMessageBatch();
        assertTrue(batch.tryAddMessage(new ServiceBusMessage("batch-1")) && batch.tryAddMessage(new ServiceBusMessage("batch-2")));
        sender.sendMessages(batch);
        ServiceBusReceiverClient r = receiver("send", ServiceBusReceiveMode.RECEIVE_AND_DELETE, SubQueue.NONE);
        assertEquals(List.of("single", "batch-1", "batch-2"), bodies(receive(r, 3)));
    }

    /** Peek (a $management request) neither locks nor removes: the message is still there to receive. */
    @Test
    void peek() {
        send("peek", new ServiceBusMessage("peeked"));
        ServiceBusReceiverClient r = receiver("peek", ServiceBusReceiveMode.PEEK_LOCK, SubQueue.NONE);
        assertEquals(List.of("peeked"), bodies(r.peekMessages(10)));
        ServiceBusReceivedMessage m = receive(r, 1).get(0);
        assertEquals("peeked", m.getBody().toString());
        r.complete(m);
    }

    @Test
    void peekLockComplete() {
        ServiceBusMessage sent = new ServiceBusMessage("locked").setMessageId("m-1");
        sent.getApplicationProperties().put("k", "v");
        send("peek-lock", sent);
        ServiceBusReceiverClient r = receiver("peek-lock", ServiceBusReceiveMode.PEEK_LOCK, SubQueue.NONE);
        ServiceBusReceivedMessage m = receive(r, 1).get(0);
        assertEquals(List.of("locked", "m-1", 0L, "v"),
                List.of(m.getBody().toString(), m.getMessageId(), m.getDeliveryCount(), m.getApplicationProperties().get("k")));
        r.complete(m);
        assertNothingLeft(r); // completed: gone, not redelivered
    }

    @Test
    void receiveAndDelete() {
        send("receive-and-delete", new ServiceBusMessage("rd-1"), new ServiceBusMessage("rd-2"));
        ServiceBusReceiverClient r = receiver("receive-and-delete", ServiceBusReceiveMode.RECEIVE_AND_DELETE, SubQueue.NONE);
        assertEquals(List.of("rd-1", "rd-2"), bodies(receive(r, 2)));
        assertNothingLeft(r);
    }

    /** Accept one session by id: its messages in order, not another session's; complete one, dead-letter one. */
    @Test
    void namedSession() {
        send("session-named", message("alpha-1", "alpha"), message("beta-1", "beta"), message("alpha-2", "alpha"));
        ServiceBusSessionReceiverClient sessions = closing(builder().sessionReceiver().queueName("session-named").buildClient());
        ServiceBusReceiverClient s = closing(sessions.acceptSession("alpha"));
        assertEquals("alpha", s.getSessionId());
        List<ServiceBusReceivedMessage> got = receive(s, 2);
        assertEquals(List.of("alpha-1", "alpha-2"), bodies(got));
        s.complete(got.get(0));
        s.deadLetter(got.get(1), new DeadLetterOptions().setDeadLetterReason("matrix")
                .setDeadLetterErrorDescription("dead-lettered by the matrix"));
        assertNothingLeft(s);
        ServiceBusReceiverClient dlq = receiver("session-named", ServiceBusReceiveMode.PEEK_LOCK, SubQueue.DEAD_LETTER_QUEUE);
        ServiceBusReceivedMessage dead = receive(dlq, 1).get(0);
        assertEquals(List.of("alpha-2", "matrix", "alpha"),
                List.of(dead.getBody().toString(), dead.getDeadLetterReason(), dead.getSessionId()));
        dlq.complete(dead);
    }

    /** Accept whichever session has messages; abandon puts the message back, it comes again, then complete. */
    @Test
    void nextAvailableSession() {
        send("session-next", message("gamma-1", "gamma"));
        ServiceBusSessionReceiverClient sessions = closing(builder().sessionReceiver().queueName("session-next").buildClient());
        ServiceBusReceiverClient s = closing(sessions.acceptNextSession());
        assertEquals("gamma", s.getSessionId());
        ServiceBusReceivedMessage m = receive(s, 1).get(0);
        s.abandon(m);
        ServiceBusReceivedMessage again = receive(s, 1).get(0);
        assertEquals(List.of("gamma-1", m.getDeliveryCount() + 1),
                List.of(again.getBody().toString(), again.getDeliveryCount()));
        s.complete(again);
        assertNothingLeft(s);
    }
}
