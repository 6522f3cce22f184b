package emu;

import static org.junit.jupiter.api.Assertions.*;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.amqp.AmqpTransportType;
import com.azure.messaging.servicebus.*;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import com.azure.messaging.servicebus.administration.models.CreateQueueOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java SDK over WebSockets (AmqpTransportType.AMQP_WEB_SOCKETS). azure-core-amqp's
 * WebSocketsConnectionHandler always uses TLS (UseDevelopmentEmulator or not) and dials
 * wss://host:443/$servicebus/websocket with subprotocol AMQPWSB10; customEndpointAddress moves the
 * socket to another host:port. So: the emulator's CA in the trust store, and customEndpointAddress
 * pointing at the admin port or at the --ws-port listener.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebSocketCompatTest {
    private Emulator emu;
    private ServiceBusAdministrationClient admin;
    private final List<AutoCloseable> closers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        // The same work dir, hence the same CA, as ServiceBusCompatTest: the JVM's default SSL context
        // keeps the first trust store it loaded.
        Path work = Path.of(System.getProperty("compat.workdir", "target/sbemu")).toAbsolutePath();
        Files.createDirectories(work);
        emu = Emulator.start(work, Emulator.freePort(), Emulator.freePort());
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

    /** Where the WebSocket goes: the admin port, or the port of its own (--ws-port). */
    Stream<Arguments> routes() {
        return Stream.of(Arguments.of("admin-port"), Arguments.of("ws-port"));
    }

    private ServiceBusClientBuilder builder(String route) {
        int port = route.equals("admin-port") ? emu.httpPort : emu.wsPort;
        return new ServiceBusClientBuilder().connectionString(emu.connectionString())
                .transportType(AmqpTransportType.AMQP_WEB_SOCKETS)
                .customEndpointAddress("https://localhost:" + port)
                .retryOptions(new AmqpRetryOptions().setMaxRetries(0).setTryTimeout(Duration.ofSeconds(20)));
    }

    private <T extends AutoCloseable> T closing(T c) {
        closers.add(c);
        return c;
    }

    private String queue(CreateQueueOptions options) {
        String name = "ws-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createQueue(name, options);
        return name;
    }

    private static List<ServiceBusReceivedMessage> receive(ServiceBusReceiverClient r, int n, Duration wait) {
        List<ServiceBusReceivedMessage> out = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            r.receiveMessages(n - out.size(), Duration.ofMillis(Math.max(200, (deadline - System.nanoTime()) / 1_000_000)))
                    .forEach(out::add);
        }
        return out;
    }

    private static List<String> bodies(List<ServiceBusReceivedMessage> messages) {
        return messages.stream().map(m -> m.getBody().toString()).collect(Collectors.toList());
    }

    @ParameterizedTest
    @MethodSource("routes")
    void webSocketSendReceive(String route) {
        String q = queue(new CreateQueueOptions());
        ServiceBusSenderClient s = closing(builder(route).sender().queueName(q).buildClient());
        ServiceBusMessage m = new ServiceBusMessage("one");
        m.getApplicationProperties().put("via", "websocket");
        s.sendMessage(m);
        ServiceBusMessageBatch batch = s.createMessageBatch();
        assertTrue(batch.tryAddMessage(new ServiceBusMessage("two")));
        assertTrue(batch.tryAddMessage(new ServiceBusMessage("three")));
        s.sendMessages(batch);

        ServiceBusReceiverClient r = closing(builder(route).receiver().queueName(q).buildClient());
        List<ServiceBusReceivedMessage> first = receive(r, 1, Duration.ofSeconds(10));
        assertEquals(List.of("one"), bodies(first));
        assertEquals("websocket", first.get(0).getApplicationProperties().get("via"));
        r.complete(first.get(0));
        ServiceBusReceiverClient deleting = closing(builder(route).receiver().queueName(q)
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient());
        assertEquals(List.of("two", "three"), bodies(receive(deleting, 2, Duration.ofSeconds(10))));
        assertEquals(0, admin.getQueueRuntimeProperties(q).getActiveMessageCount());
    }

    @ParameterizedTest
    @MethodSource("routes")
    void webSocketSessions(String route) {
        String q = queue(new CreateQueueOptions().setSessionRequired(true));
        ServiceBusSenderClient s = closing(builder(route).sender().queueName(q).buildClient());
        s.sendMessages(List.of("a1", "a2", "a3").stream().map(b -> new ServiceBusMessage(b).setSessionId("a")).collect(Collectors.toList()));
        s.sendMessage(new ServiceBusMessage("b1").setSessionId("b"));

        ServiceBusSessionReceiverClient sessions = closing(builder(route).sessionReceiver().queueName(q).buildClient());
        ServiceBusReceiverClient a = closing(sessions.acceptSession("a"));
        List<ServiceBusReceivedMessage> got = receive(a, 3, Duration.ofSeconds(10));
        assertEquals(List.of("a1", "a2", "a3"), bodies(got));
        got.forEach(a::complete);
        a.setSessionState("done".getBytes(StandardCharsets.UTF_8));
        assertEquals("done", new String(a.getSessionState(), StandardCharsets.UTF_8));
        a.close();

        ServiceBusReceiverClient next = closing(sessions.acceptNextSession());
        assertEquals("b", next.getSessionId());
        List<ServiceBusReceivedMessage> b = receive(next, 1, Duration.ofSeconds(10));
        assertEquals(List.of("b1"), bodies(b));
        next.complete(b.get(0));
        next.close();
        assertEquals(0, admin.getQueueRuntimeProperties(q).getActiveMessageCount());
    }
}
