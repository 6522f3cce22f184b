package compat

// The test control plane (/emulator over net/http, as the README's Go snippet calls it) driven next
// to the official azservicebus client. One emulator of its own with --clock offset, started on first
// use: the shared one runs on the system clock, and a jump here must not touch other tests' entities.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus/admin"
	"github.com/Azure/go-amqp"
)

var (
	offsetEmu     emulatorProc
	offsetEmuOnce sync.Once
	offsetEmuErr  error
)

// controlEmulator starts the --clock offset emulator once; it shares the package's CA (SSL_CERT_FILE
// is read once per process) and stops when the last test of the package has run.
func controlEmulator(t *testing.T) *emulatorProc {
	t.Helper()
	offsetEmuOnce.Do(func() {
		work, err := os.MkdirTemp("", "sbemu-go-control-")
		if err != nil {
			offsetEmuErr = err
			return
		}
		offsetEmuErr = offsetEmu.start(work, emu.tlsDir, "--clock", "offset")
		if offsetEmuErr == nil {
			stopAfterTests = append(stopAfterTests, offsetEmu.stop)
		} else {
			offsetEmuErr = fmt.Errorf("%w (log in %s)", offsetEmuErr, filepath.Join(work, "emulator.log"))
		}
	})
	if offsetEmuErr != nil {
		t.Fatal(offsetEmuErr)
	}
	return &offsetEmu
}

// control calls /emulator/<path> with Basic credentials; out (when not nil) gets the JSON answer.
func control(t *testing.T, e *emulatorProc, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d/emulator/%s", e.httpPort, path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(keyName, key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

func armedFaults(t *testing.T, e *emulatorProc) []any {
	var got struct{ Faults []any }
	control(t, e, "GET", "faults", "", &got)
	return got.Faults
}

func activeBodies(t *testing.T, e *emulatorProc, q string) []string {
	var got struct{ Messages []struct{ Body string } }
	control(t, e, "GET", "entities/"+q+"/messages", "", &got)
	bodies := []string{}
	for _, m := range got.Messages {
		bodies = append(bodies, m.Body)
	}
	return bodies
}

// fastRetries: the SDK's own retry policy, with delays short enough for a test.
var fastRetries = azservicebus.RetryOptions{MaxRetries: 3, RetryDelay: 50 * time.Millisecond, MaxRetryDelay: 200 * time.Millisecond}

func controlClient(t *testing.T, conn string, retry azservicebus.RetryOptions) *azservicebus.Client {
	t.Helper()
	c, err := azservicebus.NewClientFromConnectionString(conn, &azservicebus.ClientOptions{RetryOptions: retry})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func controlQueue(t *testing.T, e *emulatorProc, props *admin.QueueProperties) string {
	t.Helper()
	a, err := admin.NewClientFromConnectionString(e.adminConnectionString(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := unique("ctl")
	if _, err := a.CreateQueue(ctxFor(t, 20*time.Second), q, &admin.CreateQueueOptions{Properties: props}); err != nil {
		t.Fatal(err)
	}
	return q
}

func receiveBodies(t *testing.T, r *azservicebus.Receiver, n int) ([]string, error) {
	t.Helper()
	msgs, err := r.ReceiveMessages(ctxFor(t, 10*time.Second), n, nil)
	bodies := []string{}
	for _, m := range msgs {
		bodies = append(bodies, string(m.Body))
		if err := r.CompleteMessage(ctxFor(t, 10*time.Second), m, nil); err != nil {
			t.Fatal(err)
		}
	}
	return bodies, err
}

func TestControlServerBusyOnSend(t *testing.T) {
	e := controlEmulator(t)
	q := controlQueue(t, e, nil)
	control(t, e, "POST", "faults", fmt.Sprintf(`{"entity":%q,"operation":"send","error":"server-busy","count":2}`, q), nil)
	s, _ := controlClient(t, e.connectionString(), fastRetries).NewSender(q, nil)
	if err := s.SendMessage(ctxFor(t, 20*time.Second), &azservicebus.Message{Body: []byte("through")}, nil); err != nil {
		t.Fatalf("send through two server-busy: %v", err)
	}
	eq(t, "stored once", []string{"through"}, activeBodies(t, e, q))
	eq(t, "faults used up", 0, len(armedFaults(t, e)))

	// Without retries: azservicebus maps com.microsoft:server-busy to RecoveryKindNone (a temporary
	// error), which it hands back as the *amqp.Error itself, not as an *azservicebus.Error with a Code.
	control(t, e, "POST", "faults", fmt.Sprintf(`{"entity":%q,"operation":"send","error":"server-busy","count":1}`, q), nil)
	s0, _ := controlClient(t, e.connectionString(), azservicebus.RetryOptions{MaxRetries: -1}).NewSender(q, nil)
	err := s0.SendMessage(ctxFor(t, 20*time.Second), &azservicebus.Message{Body: []byte("refused")}, nil)
	var amqpErr *amqp.Error
	if !errors.As(err, &amqpErr) || amqpErr.Condition != "com.microsoft:server-busy" {
		t.Fatalf("want an *amqp.Error com.microsoft:server-busy, got %T %v", err, err)
	}
	var sbErr *azservicebus.Error
	eq(t, "not an *azservicebus.Error", false, errors.As(err, &sbErr))
	eq(t, "nothing stored", []string{"through"}, activeBodies(t, e, q))
	eq(t, "fault used", 0, len(armedFaults(t, e)))
}

func TestControlReceiveFaultOnOpenReceiver(t *testing.T) {
	e := controlEmulator(t)
	q := controlQueue(t, e, nil)
	c := controlClient(t, e.connectionString(), fastRetries)
	s, _ := c.NewSender(q, nil)
	for _, b := range []string{"first", "second"} {
		if err := s.SendMessage(ctxFor(t, 10*time.Second), &azservicebus.Message{Body: []byte(b)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := c.NewReceiverForQueue(q, nil)
	got, err := receiveBodies(t, r, 1)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "first receive", []string{"first"}, got)
	control(t, e, "POST", "faults", fmt.Sprintf(`{"entity":%q,"operation":"receive","error":"server-busy","count":1}`, q), nil)
	// azservicebus 1.11 does NOT recover: the detach carries com.microsoft:server-busy, which its
	// condition table rates RecoveryKindNone ("temporary, no recovery needed") ahead of the LinkError
	// fallback, so the detached link is never closed or re-opened, and ReceiveMessages hides the
	// error (no messages and a non-fatal error give nil, nil). Every later call does the same, at once.
	for i := 0; i < 3; i++ {
		got, err = receiveBodies(t, r, 1)
		if err != nil || len(got) != 0 {
			t.Fatalf("call %d after the fault: want nil, nil (the SDK's silent non-recovery), got %v %v", i, got, err)
		}
	}
	eq(t, "message still there", []string{"second"}, activeBodies(t, e, q))
	fresh, _ := c.NewReceiverForQueue(q, nil)
	got, err = receiveBodies(t, fresh, 1)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "a new receiver gets it", []string{"second"}, got)
	eq(t, "fault used", 0, len(armedFaults(t, e)))
}

func TestControlClockAdvanceDeadLettersExpired(t *testing.T) {
	e := controlEmulator(t)
	q := controlQueue(t, e, &admin.QueueProperties{DeadLetteringOnMessageExpiration: to.Ptr(true)})
	c := controlClient(t, e.connectionString(), fastRetries)
	s, _ := c.NewSender(q, nil)
	if err := s.SendMessage(ctxFor(t, 10*time.Second), &azservicebus.Message{Body: []byte("stale"), TimeToLive: to.Ptr(time.Hour)}, nil); err != nil {
		t.Fatal(err)
	}
	if code := control(t, e, "POST", "clock/advance", `{"duration":"PT1H"}`, nil); code != 200 {
		t.Fatalf("clock/advance: %d", code)
	}
	dlq, _ := c.NewReceiverForQueue(q, &azservicebus.ReceiverOptions{SubQueue: azservicebus.SubQueueDeadLetter})
	msgs, err := dlq.ReceiveMessages(ctxFor(t, 10*time.Second), 1, nil)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("dead-letter receive: %v %d", err, len(msgs))
	}
	eq(t, "body", "stale", string(msgs[0].Body))
	eq(t, "reason", "TTLExpiredException", *msgs[0].DeadLetterReason)
	if err := dlq.CompleteMessage(ctxFor(t, 10*time.Second), msgs[0], nil); err != nil {
		t.Fatal(err)
	}
	eq(t, "queue empty", []string{}, activeBodies(t, e, q))
}

func TestControlNamespaceOfItsOwn(t *testing.T) {
	e := controlEmulator(t)
	name := unique("go")
	var ns struct{ Name, KeyName, ConnectionString, AdminConnectionString string }
	if code := control(t, e, "POST", "namespaces", fmt.Sprintf(`{"name":%q}`, name), &ns); code != 201 {
		t.Fatalf("POST namespaces: %d", code)
	}
	t.Cleanup(func() { control(t, e, "DELETE", "namespaces/"+name, "", nil) })
	eq(t, "key name", "ns-"+name, ns.KeyName)
	nsAdmin, err := admin.NewClientFromConnectionString(ns.AdminConnectionString, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nsAdmin.CreateQueue(ctxFor(t, 20*time.Second), "orders", nil); err != nil {
		t.Fatal(err)
	}
	c := controlClient(t, ns.ConnectionString, fastRetries)
	s, _ := c.NewSender("orders", nil)
	if err := s.SendMessage(ctxFor(t, 10*time.Second), &azservicebus.Message{Body: []byte("mine")}, nil); err != nil {
		t.Fatal(err)
	}
	r, _ := c.NewReceiverForQueue("orders", nil)
	got, err := receiveBodies(t, r, 1)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "own namespace", []string{"mine"}, got)

	// The default namespace does not see it.
	defAdmin, _ := admin.NewClientFromConnectionString(e.adminConnectionString(), nil)
	seen, err := defAdmin.GetQueue(ctxFor(t, 10*time.Second), "orders", nil)
	if err != nil || seen != nil {
		t.Fatalf("default namespace sees orders: %v %v", seen, err)
	}
	eq(t, "control 404", 404, control(t, e, "GET", "entities/orders/messages", "", nil))

	eq(t, "DELETE", 204, control(t, e, "DELETE", "namespaces/"+name, "", nil))
	var list struct{ Namespaces []struct{ Name string } }
	control(t, e, "GET", "namespaces", "", &list)
	for _, n := range list.Namespaces {
		if n.Name == name {
			t.Fatalf("namespace %s still listed", name)
		}
	}
}
