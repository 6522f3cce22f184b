package compat

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus/admin"
)

func createQueue(t *testing.T, props *admin.QueueProperties) string {
	t.Helper()
	name := unique("q")
	if _, err := newAdmin(t).CreateQueue(ctxFor(t, 20*time.Second), name, &admin.CreateQueueOptions{Properties: props}); err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	return name
}

func send(t *testing.T, c *azservicebus.Client, queue string, msgs ...*azservicebus.Message) {
	t.Helper()
	s, err := c.NewSender(queue, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	for _, m := range msgs {
		if err := s.SendMessage(ctxFor(t, 20*time.Second), m, nil); err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
	}
}

func body(s string) *azservicebus.Message { return &azservicebus.Message{Body: []byte(s)} }

type receiver interface {
	ReceiveMessages(ctx context.Context, maxMessages int, options *azservicebus.ReceiveMessagesOptions) ([]*azservicebus.ReceivedMessage, error)
}

// receiveN receives until n messages arrived or the wait is over.
func receiveN(t *testing.T, r receiver, n int, wait time.Duration) []*azservicebus.ReceivedMessage {
	t.Helper()
	var out []*azservicebus.ReceivedMessage
	deadline := time.Now().Add(wait)
	for len(out) < n && time.Now().Before(deadline) {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		got, err := r.ReceiveMessages(ctx, n-len(out), nil)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("ReceiveMessages: %v", err)
		}
		out = append(out, got...)
	}
	return out
}

func bodies(ms []*azservicebus.ReceivedMessage) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, string(m.Body))
	}
	return out
}

func runtimeProps(t *testing.T, queue string) *admin.GetQueueRuntimePropertiesResponse {
	t.Helper()
	rt, err := newAdmin(t).GetQueueRuntimeProperties(ctxFor(t, 20*time.Second), queue, nil)
	if err != nil || rt == nil {
		t.Fatalf("GetQueueRuntimeProperties: %v %v", rt, err)
	}
	return rt
}

func eq(t *testing.T, what string, want, got any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%s: want %#v, got %#v", what, want, got)
	}
}

func sbCode(err error) azservicebus.Code {
	var e *azservicebus.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// --- admin ---------------------------------------------------------------------------------------

func TestAdminSessionQueueCRUD(t *testing.T) {
	a := newAdmin(t)
	ctx := ctxFor(t, 60*time.Second)
	name := unique("sessions")
	created, err := a.CreateQueue(ctx, name, &admin.CreateQueueOptions{Properties: &admin.QueueProperties{
		RequiresSession: to.Ptr(true), LockDuration: to.Ptr("PT5M"), MaxDeliveryCount: to.Ptr(int32(10)),
		DefaultMessageTimeToLive: to.Ptr("P14D"), DeadLetteringOnMessageExpiration: to.Ptr(true),
	}})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	eq(t, "requires session", true, *created.RequiresSession)
	got, err := a.GetQueue(ctx, name, nil)
	if err != nil || got == nil {
		t.Fatalf("GetQueue: %v %v", got, err)
	}
	eq(t, "lock duration", "PT5M", *got.LockDuration)
	eq(t, "max delivery count", int32(10), *got.MaxDeliveryCount)
	eq(t, "ttl", "P14D", *got.DefaultMessageTimeToLive)
	eq(t, "dlq on expiration", true, *got.DeadLetteringOnMessageExpiration)
	_, err = a.CreateQueue(ctx, name, nil)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 409 {
		t.Fatalf("duplicate create: want a 409 ResponseError, got %v", err)
	}
	found := false
	pager := a.NewListQueuesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list queues: %v", err)
		}
		for _, q := range page.Queues {
			found = found || q.QueueName == name
		}
	}
	eq(t, "listed", true, found)
	if _, err := a.DeleteQueue(ctx, name, nil); err != nil {
		t.Fatalf("DeleteQueue: %v", err)
	}
	gone, err := a.GetQueue(ctx, name, nil)
	if err != nil || gone != nil {
		t.Fatalf("GetQueue after delete: want (nil, nil), got %v %v", gone, err)
	}
}

// --- send, receive, settle --------------------------------------------------------------------------

func TestSendReceiveComplete(t *testing.T) {
	c := newClient(t)
	q := createQueue(t, nil)
	m := &azservicebus.Message{Body: []byte("hello"), MessageID: to.Ptr("m-1"), CorrelationID: to.Ptr("c-1"),
		Subject: to.Ptr("greeting"), ContentType: to.Ptr("text/plain"),
		ApplicationProperties: map[string]any{"n": int64(42), "s": "str"}}
	send(t, c, q, m)
	r, err := c.NewReceiverForQueue(q, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	got := receiveN(t, r, 1, 10*time.Second)
	eq(t, "bodies", []string{"hello"}, bodies(got))
	rm := got[0]
	eq(t, "message id", "m-1", rm.MessageID)
	eq(t, "correlation id", "c-1", *rm.CorrelationID)
	eq(t, "subject", "greeting", *rm.Subject)
	eq(t, "content type", "text/plain", *rm.ContentType)
	eq(t, "app props", map[string]any{"n": int64(42), "s": "str"}, rm.ApplicationProperties)
	eq(t, "seq", int64(1), *rm.SequenceNumber)
	// azservicebus reports header.delivery-count + 1 (message.go: "number of times this message has been
	// delivered"), so a first delivery is 1 here where JS, Python and Java say 0.
	eq(t, "delivery count", uint32(1), rm.DeliveryCount)
	if rm.LockedUntil == nil || rm.LockedUntil.Before(time.Now().Add(30*time.Second)) {
		t.Fatalf("locked until: %v", rm.LockedUntil)
	}
	if err := r.CompleteMessage(ctxFor(t, 10*time.Second), rm, nil); err != nil {
		t.Fatalf("complete: %v", err)
	}
	eq(t, "active", int32(0), runtimeProps(t, q).ActiveMessageCount)
}

func TestLockRenewAndExpiry(t *testing.T) {
	c := newClient(t)
	q := createQueue(t, &admin.QueueProperties{LockDuration: to.Ptr("PT2S")})
	send(t, c, q, body("x"))
	r, _ := c.NewReceiverForQueue(q, nil)
	defer r.Close(context.Background())
	m := receiveN(t, r, 1, 10*time.Second)[0]
	before := *m.LockedUntil
	time.Sleep(500 * time.Millisecond)
	if err := r.RenewMessageLock(ctxFor(t, 10*time.Second), m, nil); err != nil {
		t.Fatalf("renew: %v", err)
	}
	if !m.LockedUntil.After(before) {
		t.Fatalf("renewed lock %v not after %v", m.LockedUntil, before)
	}
	time.Sleep(2600 * time.Millisecond)
	err := r.CompleteMessage(ctxFor(t, 10*time.Second), m, nil)
	eq(t, "complete after expiry", azservicebus.CodeLockLost, sbCode(err))
	again := receiveN(t, r, 1, 10*time.Second)
	eq(t, "redelivered", []string{"x"}, bodies(again))
	eq(t, "delivery count (header + 1)", uint32(2), again[0].DeliveryCount)
	_ = r.CompleteMessage(ctxFor(t, 10*time.Second), again[0], nil)
}

func TestAbandonToDeadLetterAndExplicitDeadLetter(t *testing.T) {
	c := newClient(t)
	q := createQueue(t, &admin.QueueProperties{MaxDeliveryCount: to.Ptr(int32(2))})
	send(t, c, q, body("bad"), body("poison"))
	r, _ := c.NewReceiverForQueue(q, nil)
	defer r.Close(context.Background())
	bad := receiveN(t, r, 1, 10*time.Second)[0]
	eq(t, "first", "bad", string(bad.Body))
	if err := r.DeadLetterMessage(ctxFor(t, 10*time.Second), bad, &azservicebus.DeadLetterOptions{
		Reason: to.Ptr("InvalidOrder"), ErrorDescription: to.Ptr("amount missing")}); err != nil {
		t.Fatalf("dead-letter: %v", err)
	}
	for i := 0; i < 2; i++ {
		m := receiveN(t, r, 1, 10*time.Second)[0]
		eq(t, "poison", "poison", string(m.Body))
		eq(t, "delivery count (header + 1)", uint32(i+1), m.DeliveryCount)
		if err := r.AbandonMessage(ctxFor(t, 10*time.Second), m, nil); err != nil {
			t.Fatalf("abandon: %v", err)
		}
	}
	rt := runtimeProps(t, q)
	eq(t, "active/dead", [2]int32{0, 2}, [2]int32{rt.ActiveMessageCount, rt.DeadLetterMessageCount})
	dlq, _ := c.NewReceiverForQueue(q, &azservicebus.ReceiverOptions{SubQueue: azservicebus.SubQueueDeadLetter})
	defer dlq.Close(context.Background())
	dead := receiveN(t, dlq, 2, 10*time.Second)
	eq(t, "dead bodies", []string{"bad", "poison"}, bodies(dead))
	eq(t, "reason 1", "InvalidOrder", *dead[0].DeadLetterReason)
	eq(t, "description 1", "amount missing", *dead[0].DeadLetterErrorDescription)
	eq(t, "reason 2", "MaxDeliveryCountExceeded", *dead[1].DeadLetterReason)
	for _, m := range dead {
		_ = dlq.CompleteMessage(ctxFor(t, 10*time.Second), m, nil)
	}
	eq(t, "dead after", int32(0), runtimeProps(t, q).DeadLetterMessageCount)
}

func TestTTLExpiryDeadLetters(t *testing.T) {
	c := newClient(t)
	q := createQueue(t, &admin.QueueProperties{DeadLetteringOnMessageExpiration: to.Ptr(true)})
	send(t, c, q, &azservicebus.Message{Body: []byte("short-lived"), TimeToLive: to.Ptr(400 * time.Millisecond)})
	time.Sleep(1200 * time.Millisecond)
	rt := runtimeProps(t, q)
	eq(t, "active/dead", [2]int32{0, 1}, [2]int32{rt.ActiveMessageCount, rt.DeadLetterMessageCount})
	dlq, _ := c.NewReceiverForQueue(q, &azservicebus.ReceiverOptions{SubQueue: azservicebus.SubQueueDeadLetter})
	defer dlq.Close(context.Background())
	dead := receiveN(t, dlq, 1, 10*time.Second)
	eq(t, "body", []string{"short-lived"}, bodies(dead))
	eq(t, "reason", "TTLExpiredException", *dead[0].DeadLetterReason)
	_ = dlq.CompleteMessage(ctxFor(t, 10*time.Second), dead[0], nil)
}

func TestDeferAndReceiveDeferred(t *testing.T) {
	c := newClient(t)
	q := createQueue(t, nil)
	send(t, c, q, body("later"), body("now"))
	r, _ := c.NewReceiverForQueue(q, nil)
	defer r.Close(context.Background())
	first := receiveN(t, r, 1, 10*time.Second)[0]
	if err := r.DeferMessage(ctxFor(t, 10*time.Second), first, nil); err != nil {
		t.Fatalf("defer: %v", err)
	}
	second := receiveN(t, r, 1, 10*time.Second)[0]
	eq(t, "second", "now", string(second.Body))
	_ = r.CompleteMessage(ctxFor(t, 10*time.Second), second, nil)
	deferred, err := r.ReceiveDeferredMessages(ctxFor(t, 10*time.Second), []int64{*first.SequenceNumber}, nil)
	if err != nil {
		t.Fatalf("receive deferred: %v", err)
	}
	eq(t, "deferred", []string{"later"}, bodies(deferred))
	eq(t, "state", azservicebus.MessageStateDeferred, deferred[0].State)
	if err := r.CompleteMessage(ctxFor(t, 10*time.Second), deferred[0], nil); err != nil {
		t.Fatalf("complete deferred: %v", err)
	}
	eq(t, "active", int32(0), runtimeProps(t, q).ActiveMessageCount)
}

func TestScheduleCancelAndPeek(t *testing.T) {
	c := newClient(t)
	q := createQueue(t, nil)
	s, _ := c.NewSender(q, nil)
	defer s.Close(context.Background())
	ctx := ctxFor(t, 30*time.Second)
	never, err := s.ScheduleMessages(ctx, []*azservicebus.Message{body("never")}, time.Now().Add(time.Minute), nil)
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	soon, err := s.ScheduleMessages(ctx, []*azservicebus.Message{body("soon")}, time.Now().Add(1500*time.Millisecond), nil)
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	eq(t, "consecutive sequence numbers", never[0]+1, soon[0])
	r, _ := c.NewReceiverForQueue(q, nil)
	defer r.Close(context.Background())
	peeked, err := r.PeekMessages(ctx, 10, &azservicebus.PeekMessagesOptions{FromSequenceNumber: &never[0]})
	if err != nil {
		t.Fatalf("peek: %v", err)
	}
	eq(t, "peeked", []string{"never", "soon"}, bodies(peeked))
	eq(t, "state", azservicebus.MessageStateScheduled, peeked[0].State)
	eq(t, "scheduled count", int32(2), runtimeProps(t, q).ScheduledMessageCount)
	if err := s.CancelScheduledMessages(ctx, never, nil); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	eq(t, "scheduled count", int32(1), runtimeProps(t, q).ScheduledMessageCount)
	got := receiveN(t, r, 1, 15*time.Second)
	eq(t, "delivered", []string{"soon"}, bodies(got))
	if got[0].ScheduledEnqueueTime == nil {
		t.Fatal("no scheduled enqueue time")
	}
	_ = r.CompleteMessage(ctx, got[0], nil)
}

func TestBatchPeekAndReceiveAndDelete(t *testing.T) {
	c := newClient(t)
	q := createQueue(t, nil)
	s, _ := c.NewSender(q, nil)
	defer s.Close(context.Background())
	ctx := ctxFor(t, 30*time.Second)
	batch, err := s.NewMessageBatch(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{}
	for i := 0; i < 20; i++ {
		want = append(want, fmt.Sprintf("b%d", i))
		if err := batch.AddMessage(body(want[i]), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SendMessageBatch(ctx, batch, nil); err != nil {
		t.Fatalf("send batch: %v", err)
	}
	eq(t, "active", int32(20), runtimeProps(t, q).ActiveMessageCount)
	pr, _ := c.NewReceiverForQueue(q, nil)
	defer pr.Close(context.Background())
	p1, _ := pr.PeekMessages(ctx, 2, nil)
	p2, _ := pr.PeekMessages(ctx, 2, nil)
	eq(t, "peek continues", []string{"b0", "b1", "b2", "b3"}, append(bodies(p1), bodies(p2)...))
	r, _ := c.NewReceiverForQueue(q, &azservicebus.ReceiverOptions{ReceiveMode: azservicebus.ReceiveModeReceiveAndDelete})
	defer r.Close(context.Background())
	eq(t, "received", want, bodies(receiveN(t, r, 20, 15*time.Second)))
	eq(t, "active", int32(0), runtimeProps(t, q).ActiveMessageCount)
}

// --- sessions ----------------------------------------------------------------------------------------

func sessionMsg(sid, b string) *azservicebus.Message {
	return &azservicebus.Message{Body: []byte(b), SessionID: to.Ptr(sid)}
}

func TestNamedSessionWithStateAndLock(t *testing.T) {
	c := newClient(t)
	q := createQueue(t, &admin.QueueProperties{RequiresSession: to.Ptr(true)})
	send(t, c, q, sessionMsg("customer-1", "o1"), sessionMsg("customer-1", "o2"), sessionMsg("customer-2", "x"))
	ctx := ctxFor(t, 60*time.Second)
	sr, err := c.AcceptSessionForQueue(ctx, q, "customer-1", nil)
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	eq(t, "session id", "customer-1", sr.SessionID())
	state, err := sr.GetSessionState(ctx, nil)
	if err != nil || len(state) != 0 {
		t.Fatalf("initial state: %q %v", state, err)
	}
	got := receiveN(t, sr, 2, 10*time.Second)
	eq(t, "in order", []string{"o1", "o2"}, bodies(got))
	for _, m := range got {
		eq(t, "session of message", "customer-1", *m.SessionID)
		_ = sr.CompleteMessage(ctx, m, nil)
	}
	if err := sr.SetSessionState(ctx, []byte(`{"count":2}`), nil); err != nil {
		t.Fatalf("set state: %v", err)
	}
	before := sr.LockedUntil()
	time.Sleep(100 * time.Millisecond)
	if err := sr.RenewSessionLock(ctx, nil); err != nil {
		t.Fatalf("renew session lock: %v", err)
	}
	if !sr.LockedUntil().After(before) {
		t.Fatalf("session lock not extended: %v -> %v", before, sr.LockedUntil())
	}
	// Exclusive: a second accept fails while held.
	_, err = c.AcceptSessionForQueue(ctxFor(t, 20*time.Second), q, "customer-1", nil)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "session-cannot-be-locked") {
		t.Fatalf("second accept: want session-cannot-be-locked, got %v", err)
	}
	_ = sr.Close(ctx)
	again, err := c.AcceptSessionForQueue(ctx, q, "customer-1", nil)
	if err != nil {
		t.Fatalf("re-accept: %v", err)
	}
	defer again.Close(context.Background())
	state, _ = again.GetSessionState(ctx, nil)
	eq(t, "state kept", `{"count":2}`, string(state))
}

func TestNextAvailableSessionsInParallel(t *testing.T) {
	c := newClient(t)
	q := createQueue(t, &admin.QueueProperties{RequiresSession: to.Ptr(true)})
	want := map[string][]string{
		"customer-1": {"ORD-001", "ORD-002", "ORD-003"},
		"customer-2": {"ORD-004", "ORD-005"},
		"customer-3": {"ORD-006", "ORD-007", "ORD-008", "ORD-009"},
	}
	for _, sid := range []string{"customer-1", "customer-2", "customer-3"} {
		for _, o := range want[sid] {
			send(t, c, q, sessionMsg(sid, o))
		}
	}
	var mu sync.Mutex
	got := map[string][]string{}
	held := map[string]bool{}
	var problems []string
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				sr, err := c.AcceptNextSessionForQueue(ctx, q, nil)
				cancel()
				if err != nil {
					if sbCode(err) != azservicebus.CodeTimeout && !errors.Is(err, context.DeadlineExceeded) {
						mu.Lock()
						problems = append(problems, err.Error())
						mu.Unlock()
					}
					return
				}
				sid := sr.SessionID()
				mu.Lock()
				if held[sid] {
					problems = append(problems, "held twice: "+sid)
				}
				held[sid] = true
				mu.Unlock()
				// One message per acceptance, as the tutorial's workers do.
				rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
				ms, err := sr.ReceiveMessages(rctx, 1, nil)
				rcancel()
				for _, m := range ms {
					time.Sleep(50 * time.Millisecond)
					if err := sr.CompleteMessage(context.Background(), m, nil); err != nil {
						mu.Lock()
						problems = append(problems, "complete: "+err.Error())
						mu.Unlock()
					}
					mu.Lock()
					got[sid] = append(got[sid], string(m.Body))
					mu.Unlock()
				}
				mu.Lock()
				held[sid] = false
				mu.Unlock()
				_ = sr.Close(context.Background())
			}
		}()
	}
	wg.Wait()
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	eq(t, "per-session order", want, got)
	eq(t, "active", int32(0), runtimeProps(t, q).ActiveMessageCount)
}

// --- topics ----------------------------------------------------------------------------------------------

func TestTopicCorrelationFilter(t *testing.T) {
	a := newAdmin(t)
	c := newClient(t)
	ctx := ctxFor(t, 60*time.Second)
	topic := unique("topic")
	if _, err := a.CreateTopic(ctx, topic, nil); err != nil {
		t.Fatalf("create topic: %v", err)
	}
	for _, sub := range []string{"all", "red", "order1"} {
		if _, err := a.CreateSubscription(ctx, topic, sub, nil); err != nil {
			t.Fatalf("create subscription: %v", err)
		}
	}
	for _, sub := range []string{"red", "order1"} {
		if _, err := a.DeleteRule(ctx, topic, sub, "$Default", nil); err != nil {
			t.Fatalf("delete $Default: %v", err)
		}
	}
	if _, err := a.CreateRule(ctx, topic, "red", &admin.CreateRuleOptions{Name: to.Ptr("color-red"),
		Filter: &admin.CorrelationFilter{ApplicationProperties: map[string]any{"color": "red"}}}); err != nil {
		t.Fatalf("create rule: %v", err)
	}
	if _, err := a.CreateRule(ctx, topic, "order1", &admin.CreateRuleOptions{Name: to.Ptr("corr"),
		Filter: &admin.CorrelationFilter{CorrelationID: to.Ptr("order-1")}}); err != nil {
		t.Fatalf("create rule: %v", err)
	}
	rule, err := a.GetRule(ctx, topic, "red", "color-red", nil)
	if err != nil || rule == nil {
		t.Fatalf("get rule: %v %v", rule, err)
	}
	cf, ok := rule.Filter.(*admin.CorrelationFilter)
	if !ok {
		t.Fatalf("rule filter: %#v", rule.Filter)
	}
	eq(t, "rule properties", map[string]any{"color": "red"}, cf.ApplicationProperties)

	s, _ := c.NewSender(topic, nil)
	defer s.Close(context.Background())
	for _, m := range []*azservicebus.Message{
		{Body: []byte("red-one"), ApplicationProperties: map[string]any{"color": "red"}},
		{Body: []byte("order"), CorrelationID: to.Ptr("order-1")},
		{Body: []byte("blue-one"), ApplicationProperties: map[string]any{"color": "blue"}},
	} {
		if err := s.SendMessage(ctx, m, nil); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	drain := func(sub string, n int) []string {
		r, _ := c.NewReceiverForSubscription(topic, sub, nil)
		defer r.Close(context.Background())
		ms := receiveN(t, r, n, 3*time.Second)
		for _, m := range ms {
			_ = r.CompleteMessage(ctx, m, nil)
		}
		return bodies(ms)
	}
	eq(t, "all", []string{"red-one", "order", "blue-one"}, drain("all", 3))
	eq(t, "red", []string{"red-one"}, drain("red", 2))
	eq(t, "order1", []string{"order"}, drain("order1", 2))
	var subs []string
	pager := a.NewListSubscriptionsPager(topic, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list subscriptions: %v", err)
		}
		for _, sp := range page.Subscriptions {
			subs = append(subs, sp.SubscriptionName)
		}
	}
	sort.Strings(subs)
	eq(t, "subscriptions", []string{"all", "order1", "red"}, subs)
}

// --- errors --------------------------------------------------------------------------------------------------

func TestUnknownEntity(t *testing.T) {
	c, err := azservicebus.NewClientFromConnectionString(connectionString(), &azservicebus.ClientOptions{
		RetryOptions: azservicebus.RetryOptions{MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	s, _ := c.NewSender(unique("missing"), nil)
	err = s.SendMessage(ctxFor(t, 20*time.Second), body("x"), nil)
	if err == nil || !(sbCode(err) == azservicebus.CodeNotFound || strings.Contains(err.Error(), "amqp:not-found")) {
		t.Fatalf("want not-found, got %v (code %q)", err, sbCode(err))
	}
}

func TestWrongKey(t *testing.T) {
	q := createQueue(t, nil)
	bad := strings.Replace(connectionString(), "SharedAccessKey="+key, "SharedAccessKey=wrong", 1)
	c, err := azservicebus.NewClientFromConnectionString(bad, &azservicebus.ClientOptions{
		RetryOptions: azservicebus.RetryOptions{MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	s, _ := c.NewSender(q, nil)
	err = s.SendMessage(ctxFor(t, 20*time.Second), body("x"), nil)
	if err == nil || !(sbCode(err) == azservicebus.CodeUnauthorizedAccess || strings.Contains(err.Error(), "unauthorized")) {
		t.Fatalf("want unauthorized, got %v (code %q)", err, sbCode(err))
	}
	eq(t, "nothing enqueued", int32(0), runtimeProps(t, q).ActiveMessageCount)
	badAdmin, _ := admin.NewClientFromConnectionString(strings.Replace(adminConnectionString(), "SharedAccessKey="+key, "SharedAccessKey=wrong", 1), nil)
	_, err = badAdmin.GetQueue(ctxFor(t, 20*time.Second), q, nil)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 401 {
		t.Fatalf("admin with a wrong key: want 401, got %v", err)
	}
}
