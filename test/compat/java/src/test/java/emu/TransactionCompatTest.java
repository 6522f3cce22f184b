package emu;

import static org.junit.jupiter.api.Assertions.*;

import com.azure.messaging.servicebus.*;
import com.azure.messaging.servicebus.administration.models.CreateQueueOptions;
import com.azure.messaging.servicebus.models.*;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.*;
import org.junit.jupiter.api.*;

/**
 * Transactions through the Java SDK: createTransaction / commitTransaction / rollbackTransaction
 * with a TransactionContext on send, complete, abandon, dead-letter and defer, and the
 * receive-from-A-send-to-B pattern with enableCrossEntityTransactions (the sender link to B is
 * attached to A with com.microsoft:transfer-destination-address).
 */
class TransactionCompatTest extends SharedEmulatorSuite {
    private String queue() {
        String name = "txn-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createQueue(name, new CreateQueueOptions().setLockDuration(Duration.ofMinutes(1)));
        return name;
    }

    private long active(String q) {
        return admin.getQueueRuntimeProperties(q).getActiveMessageCount();
    }

    @Test
    void sendCommitsAndRollsBack() {
        String q = queue();
        ServiceBusClientBuilder b = builder();
        ServiceBusSenderClient s = closing(b.sender().queueName(q).buildClient());
        ServiceBusTransactionContext txn = s.createTransaction();
        s.sendMessage(new ServiceBusMessage("committed"), txn);
        ServiceBusMessageBatch batch = s.createMessageBatch();
        assertTrue(batch.tryAddMessage(new ServiceBusMessage("batched")));
        s.sendMessages(batch, txn);
        assertEquals(0, active(q), "sends in a transaction are invisible until the commit");
        s.commitTransaction(txn);
        assertEquals(2, active(q));

        ServiceBusTransactionContext dropped = s.createTransaction();
        s.sendMessage(new ServiceBusMessage("rolled-back"), dropped);
        s.rollbackTransaction(dropped);
        assertEquals(2, active(q));

        ServiceBusReceiverClient r = closing(b.receiver().queueName(q)
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient());
        assertEquals(List.of("committed", "batched"), bodies(receive(r, 2, Duration.ofSeconds(10))));
    }

    @Test
    void scheduleInATransaction() {
        String q = queue();
        ServiceBusSenderClient s = closing(builder().sender().queueName(q).buildClient());
        ServiceBusTransactionContext txn = s.createTransaction();
        long seq = s.scheduleMessage(new ServiceBusMessage("later"), OffsetDateTime.now().plusHours(1), txn);
        assertEquals(0, admin.getQueueRuntimeProperties(q).getScheduledMessageCount());
        s.commitTransaction(txn);
        assertEquals(1, admin.getQueueRuntimeProperties(q).getScheduledMessageCount());
        s.cancelScheduledMessage(seq);
        assertEquals(0, admin.getQueueRuntimeProperties(q).getScheduledMessageCount());
    }

    @Test
    void settlementsTakeEffectAtCommit() {
        String q = queue();
        ServiceBusClientBuilder b = builder();
        ServiceBusSenderClient s = closing(b.sender().queueName(q).buildClient());
        s.sendMessages(List.of(new ServiceBusMessage("complete"), new ServiceBusMessage("abandon"),
                new ServiceBusMessage("dead-letter"), new ServiceBusMessage("defer")));
        ServiceBusReceiverClient r = closing(b.receiver().queueName(q).buildClient());
        List<ServiceBusReceivedMessage> got = receive(r, 4, Duration.ofSeconds(10));
        assertEquals(List.of("complete", "abandon", "dead-letter", "defer"), bodies(got));

        ServiceBusTransactionContext txn = r.createTransaction();
        r.complete(got.get(0), new CompleteOptions().setTransactionContext(txn));
        r.abandon(got.get(1), new AbandonOptions().setTransactionContext(txn));
        r.deadLetter(got.get(2), new DeadLetterOptions().setDeadLetterReason("in-txn").setTransactionContext(txn));
        r.defer(got.get(3), new DeferOptions().setTransactionContext(txn));
        assertEquals(4, active(q), "nothing is settled before the commit");
        assertEquals(0, admin.getQueueRuntimeProperties(q).getDeadLetterMessageCount());
        r.commitTransaction(txn);

        assertEquals(1, admin.getQueueRuntimeProperties(q).getDeadLetterMessageCount());
        List<ServiceBusReceivedMessage> again = receive(r, 1, Duration.ofSeconds(10));
        assertEquals(List.of("abandon"), bodies(again));
        assertEquals(got.get(1).getDeliveryCount() + 1, again.get(0).getDeliveryCount(), "the abandon counted, at the commit");
        r.complete(again.get(0));
        ServiceBusReceivedMessage deferred = r.receiveDeferredMessage(got.get(3).getSequenceNumber());
        assertEquals("defer", deferred.getBody().toString());

        // A deferred message is settled through $management: in a transaction too.
        ServiceBusTransactionContext viaManagement = r.createTransaction();
        r.complete(deferred, new CompleteOptions().setTransactionContext(viaManagement));
        assertEquals(1, active(q));
        r.commitTransaction(viaManagement);
        assertEquals(0, active(q));
    }

    @Test
    void rollbackLeavesMessagesLocked() {
        String q = queue();
        ServiceBusClientBuilder b = builder();
        ServiceBusSenderClient s = closing(b.sender().queueName(q).buildClient());
        s.sendMessage(new ServiceBusMessage("keep"));
        ServiceBusReceiverClient r = closing(b.receiver().queueName(q).buildClient());
        ServiceBusReceivedMessage m = receive(r, 1, Duration.ofSeconds(10)).get(0);

        ServiceBusTransactionContext txn = r.createTransaction();
        r.complete(m, new CompleteOptions().setTransactionContext(txn));
        r.rollbackTransaction(txn);
        assertEquals(1, active(q));
        // Still locked (the SDK itself refuses to settle the same message object twice): not delivered again.
        assertTrue(receive(r, 1, Duration.ofSeconds(2)).isEmpty());
        ServiceBusReceivedMessage peeked = r.peekMessage();
        assertEquals(m.getSequenceNumber(), peeked.getSequenceNumber());
        assertEquals(m.getDeliveryCount(), peeked.getDeliveryCount(), "rollback leaves the delivery count as it was");
    }

    @Test
    void receiveFromOneQueueAndSendToAnotherCommitTogether() {
        String a = queue();
        String b = queue();
        ServiceBusClientBuilder plain = builder();
        closing(plain.sender().queueName(a).buildClient()).sendMessages(List.of(new ServiceBusMessage("in-1"), new ServiceBusMessage("in-2")));

        ServiceBusClientBuilder cross = builder().enableCrossEntityTransactions();
        ServiceBusReceiverClient r = closing(cross.receiver().queueName(a).buildClient());
        ServiceBusSenderClient toB = closing(cross.sender().queueName(b).buildClient());

        List<ServiceBusReceivedMessage> got = receive(r, 2, Duration.ofSeconds(10));
        assertEquals(2, got.size());
        ServiceBusTransactionContext txn = r.createTransaction();
        r.complete(got.get(0), new CompleteOptions().setTransactionContext(txn));
        toB.sendMessage(new ServiceBusMessage("out-1"), txn);
        assertEquals(0, active(b));
        r.commitTransaction(txn);
        assertEquals(1, active(b));

        ServiceBusTransactionContext undone = r.createTransaction();
        r.complete(got.get(1), new CompleteOptions().setTransactionContext(undone));
        toB.sendMessage(new ServiceBusMessage("out-2"), undone);
        r.rollbackTransaction(undone);
        assertEquals(1, active(b));
        assertEquals(1, active(a));

        ServiceBusReceiverClient fromB = closing(plain.receiver().queueName(b)
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient());
        assertEquals(List.of("out-1"), bodies(receive(fromB, 1, Duration.ofSeconds(10))));
    }

    @Test
    void aSecondEntityWithoutSendViaIsRefused() {
        String a = queue();
        String b = queue();
        ServiceBusClientBuilder shared = builder();
        ServiceBusSenderClient toA = closing(shared.sender().queueName(a).buildClient());
        ServiceBusSenderClient toB = closing(shared.sender().queueName(b).buildClient());
        ServiceBusTransactionContext txn = toA.createTransaction();
        toA.sendMessage(new ServiceBusMessage("a"), txn);
        // The emulator rejects this send, but the SDK does not look at the outcome of a send in a
        // transaction (its ReactorSender completes such a send whatever the state): the commit fails.
        toB.sendMessage(new ServiceBusMessage("b"), txn);
        ServiceBusException e = assertThrows(ServiceBusException.class, () -> toA.commitTransaction(txn));
        assertTrue(e.getMessage().contains("cannot span multiple top-level entities"), e.getMessage());
        assertEquals(0, active(a));
        assertEquals(0, active(b));
    }
}
