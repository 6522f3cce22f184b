package emu;

import static org.junit.jupiter.api.Assertions.*;

import com.azure.core.amqp.AmqpTransportType;
import com.azure.messaging.servicebus.*;
import com.azure.messaging.servicebus.administration.models.CreateQueueOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
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
class WebSocketCompatTest extends SharedEmulatorSuite {
    /** An admin port and a WebSocket port of its own (--ws-port). */
    @Override
    protected Emulator startEmulator(Path work) throws Exception {
        return Emulator.start(work, Emulator.freePort(), Emulator.freePort());
    }

    /** Where the WebSocket goes: the admin port, or the port of its own (--ws-port). */
    Stream<Arguments> routes() {
        return Stream.of(Arguments.of("admin-port"), Arguments.of("ws-port"));
    }

    private ServiceBusClientBuilder wsBuilder(String route) {
        int port = route.equals("admin-port") ? emu.httpPort : emu.wsPort;
        return builder(emu.connectionString())
                .transportType(AmqpTransportType.AMQP_WEB_SOCKETS)
                .customEndpointAddress("https://localhost:" + port);
    }

    private String queue(CreateQueueOptions options) {
        String name = "ws-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createQueue(name, options);
        return name;
    }

    @ParameterizedTest
    @MethodSource("routes")
    void webSocketSendReceive(String route) {
        String q = queue(new CreateQueueOptions());
        ServiceBusSenderClient s = closing(wsBuilder(route).sender().queueName(q).buildClient());
        ServiceBusMessage m = new ServiceBusMessage("one");
        m.getApplicationProperties().put("via", "websocket");
        s.sendMessage(m);
        ServiceBusMessageBatch batch = s.createMessageBatch();
        assertTrue(batch.tryAddMessage(new ServiceBusMessage("two")));
        assertTrue(batch.tryAddMessage(new ServiceBusMessage("three")));
        s.sendMessages(batch);

        ServiceBusReceiverClient r = closing(wsBuilder(route).receiver().queueName(q).buildClient());
        List<ServiceBusReceivedMessage> first = receive(r, 1, Duration.ofSeconds(10));
        assertEquals(List.of("one"), bodies(first));
        assertEquals("websocket", first.get(0).getApplicationProperties().get("via"));
        r.complete(first.get(0));
        ServiceBusReceiverClient deleting = closing(wsBuilder(route).receiver().queueName(q)
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient());
        assertEquals(List.of("two", "three"), bodies(receive(deleting, 2, Duration.ofSeconds(10))));
        assertEquals(0, admin.getQueueRuntimeProperties(q).getActiveMessageCount());
    }

    @ParameterizedTest
    @MethodSource("routes")
    void webSocketSessions(String route) {
        String q = queue(new CreateQueueOptions().setSessionRequired(true));
        ServiceBusSenderClient s = closing(wsBuilder(route).sender().queueName(q).buildClient());
        s.sendMessages(List.of("a1", "a2", "a3").stream().map(b -> new ServiceBusMessage(b).setSessionId("a")).collect(Collectors.toList()));
        s.sendMessage(new ServiceBusMessage("b1").setSessionId("b"));

        ServiceBusSessionReceiverClient sessions = closing(wsBuilder(route).sessionReceiver().queueName(q).buildClient());
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
