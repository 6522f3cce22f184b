// The release matrix's scenarios for one azservicebus release, run by ../run.sh under ../with_emulator.py (which
// provides the SBEMU_* variables). go.mod pins the newest release; go.v1.5.mod (GOFLAGS=-modfile=go.v1.5.mod) pins
// v1.5.x, so one source file serves both and uses only API that v1.5.0 already had. Test names match the other
// languages' (results.py maps them to rows).
package matrix

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
)

const sdkModule = "github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"

func newClient(t *testing.T) *azservicebus.Client {
	t.Helper()
	conn := os.Getenv("SBEMU_CONNECTION_STRING")
	// an incompatible release fails in seconds instead of retrying for minutes
	opts := &azservicebus.ClientOptions{RetryOptions: azservicebus.RetryOptions{MaxRetries: 1}}
	if os.Getenv("SBEMU_CONNECT") == "amqps" {
		// v1.5.x predates UseDevelopmentEmulator: it ignores it and always dials amqps://<endpoint host:port>, so the
		// closest it offers is the emulator's AMQPS port with ClientOptions.TLSConfig trusting the emulator's CA.
		// Its parser also refuses the printed string's trailing ';' ("unmatched key value separated by '='").
		conn = regexp.MustCompile(`(Endpoint=sb://[^:;/]+):\d+`).ReplaceAllString(conn, "${1}:"+os.Getenv("SBEMU_AMQPS_PORT"))
		conn = strings.TrimSuffix(conn, ";")
		ca, err := os.ReadFile(os.Getenv("SBEMU_CA"))
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(ca)
		opts.TLSConfig = &tls.Config{RootCAs: pool}
	}
	c, err := azservicebus.NewClientFromConnectionString(conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

type receiver interface {
	ReceiveMessages(ctx context.Context, n int, o *azservicebus.ReceiveMessagesOptions) ([]*azservicebus.ReceivedMessage, error)
}

// receive returns up to count messages: one ReceiveMessages call may return fewer than asked for.
func receive(t *testing.T, r receiver, count int) []*azservicebus.ReceivedMessage {
	t.Helper()
	var got []*azservicebus.ReceivedMessage
	deadline := time.Now().Add(15 * time.Second)
	for len(got) < count && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		msgs, err := r.ReceiveMessages(ctx, count-len(got), nil)
		cancel()
		if err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		got = append(got, msgs...)
	}
	if len(got) != count {
		t.Fatalf("received %d messages, want %d", len(got), count)
	}
	return got
}

func nothingLeft(t *testing.T, r receiver) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if msgs, _ := r.ReceiveMessages(ctx, 1, nil); len(msgs) != 0 {
		t.Fatalf("unexpected message %q", msgs[0].Body)
	}
}

func send(t *testing.T, c *azservicebus.Client, queue string, msgs ...*azservicebus.Message) {
	t.Helper()
	sender, err := c.NewSender(queue, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close(context.Background())
	for _, m := range msgs {
		if err := sender.SendMessage(ctxFor(t, 30*time.Second), m, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func bodies(msgs []*azservicebus.ReceivedMessage) string {
	s := ""
	for _, m := range msgs {
		s += string(m.Body) + ";"
	}
	return s
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// TestSDKVersion asks the go command which release this build uses: test binaries carry no dependency build
// info. run.sh selects the release's modfile through GOFLAGS=-modfile=..., which `go list` here inherits.
func TestSDKVersion(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", sdkModule).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != os.Getenv("SBEMU_SDK_VERSION") {
		t.Fatalf("loaded %s, want %s", got, os.Getenv("SBEMU_SDK_VERSION"))
	}
}

// TestSend: a single message and a batch; all three arrive, in order.
func TestSend(t *testing.T) {
	c := newClient(t)
	ctx := ctxFor(t, 30*time.Second)
	sender, err := c.NewSender("send", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close(context.Background())
	if err := sender.SendMessage(ctx, &azservicebus.Message{Body: []byte("single")}, nil); err != nil {
		t.Fatal(err)
	}
	batch, err := sender.NewMessageBatch(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"batch-1", "batch-2"} {
		if err := batch.AddMessage(&azservicebus.Message{Body: []byte(b)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := sender.SendMessageBatch(ctx, batch, nil); err != nil {
		t.Fatal(err)
	}
	r, err := c.NewReceiverForQueue("send", &azservicebus.ReceiverOptions{ReceiveMode: azservicebus.ReceiveModeReceiveAndDelete})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	if got := bodies(receive(t, r, 3)); got != "single;batch-1;batch-2;" {
		t.Fatalf("got %q", got)
	}
}

// TestPeek: peek (a $management request) neither locks nor removes: the message is still there to receive.
func TestPeek(t *testing.T) {
	c := newClient(t)
	ctx := ctxFor(t, 30*time.Second)
	send(t, c, "peek", &azservicebus.Message{Body: []byte("peeked")})
	r, err := c.NewReceiverForQueue("peek", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	peeked, err := r.PeekMessages(ctx, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := bodies(peeked); got != "peeked;" {
		t.Fatalf("peeked %q", got)
	}
	m := receive(t, r, 1)[0]
	if string(m.Body) != "peeked" {
		t.Fatalf("received %q", m.Body)
	}
	if err := r.CompleteMessage(ctx, m, nil); err != nil {
		t.Fatal(err)
	}
}

func TestPeekLockComplete(t *testing.T) {
	c := newClient(t)
	send(t, c, "peek-lock", &azservicebus.Message{Body: []byte("locked"), MessageID: to.Ptr("m-1"),
		ApplicationProperties: map[string]any{"k": "v"}})
	r, err := c.NewReceiverForQueue("peek-lock", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	m := receive(t, r, 1)[0]
	// Go's DeliveryCount is the header's delivery-count + 1 (message.go): a first delivery is 1
	got := fmt.Sprintf("%s %s %d %v", m.Body, m.MessageID, m.DeliveryCount, m.ApplicationProperties["k"])
	if got != "locked m-1 1 v" {
		t.Fatalf("got %q", got)
	}
	if err := r.CompleteMessage(ctxFor(t, 30*time.Second), m, nil); err != nil {
		t.Fatal(err)
	}
	nothingLeft(t, r) // completed: gone, not redelivered
}

func TestReceiveAndDelete(t *testing.T) {
	c := newClient(t)
	send(t, c, "receive-and-delete", &azservicebus.Message{Body: []byte("rd-1")}, &azservicebus.Message{Body: []byte("rd-2")})
	r, err := c.NewReceiverForQueue("receive-and-delete", &azservicebus.ReceiverOptions{ReceiveMode: azservicebus.ReceiveModeReceiveAndDelete})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	if got := bodies(receive(t, r, 2)); got != "rd-1;rd-2;" {
		t.Fatalf("got %q", got)
	}
	nothingLeft(t, r)
}

// TestNamedSession: accept one session by id: its messages in order, not another session's; complete one,
// dead-letter one.
func TestNamedSession(t *testing.T) {
	c := newClient(t)
	ctx := ctxFor(t, 60*time.Second)
	send(t, c, "session-named",
		&azservicebus.Message{Body: []byte("alpha-1"), SessionID: to.Ptr("alpha")},
		&azservicebus.Message{Body: []byte("beta-1"), SessionID: to.Ptr("beta")},
		&azservicebus.Message{Body: []byte("alpha-2"), SessionID: to.Ptr("alpha")})
	s, err := c.AcceptSessionForQueue(ctx, "session-named", "alpha", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if s.SessionID() != "alpha" {
		t.Fatalf("session %q", s.SessionID())
	}
	msgs := receive(t, s, 2)
	if got := bodies(msgs); got != "alpha-1;alpha-2;" {
		t.Fatalf("got %q", got)
	}
	if err := s.CompleteMessage(ctx, msgs[0], nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeadLetterMessage(ctx, msgs[1], &azservicebus.DeadLetterOptions{Reason: to.Ptr("matrix"),
		ErrorDescription: to.Ptr("dead-lettered by the matrix")}); err != nil {
		t.Fatal(err)
	}
	nothingLeft(t, s)
	dlq, err := c.NewReceiverForQueue("session-named", &azservicebus.ReceiverOptions{SubQueue: azservicebus.SubQueueDeadLetter})
	if err != nil {
		t.Fatal(err)
	}
	defer dlq.Close(context.Background())
	dead := receive(t, dlq, 1)[0]
	if got := fmt.Sprintf("%s %s %s", dead.Body, deref(dead.DeadLetterReason), deref(dead.SessionID)); got != "alpha-2 matrix alpha" {
		t.Fatalf("dead-lettered %q", got)
	}
	if err := dlq.CompleteMessage(ctx, dead, nil); err != nil {
		t.Fatal(err)
	}
}

// TestNextAvailableSession: accept whichever session has messages; abandon puts the message back, it comes
// again, then complete.
func TestNextAvailableSession(t *testing.T) {
	c := newClient(t)
	ctx := ctxFor(t, 60*time.Second)
	send(t, c, "session-next", &azservicebus.Message{Body: []byte("gamma-1"), SessionID: to.Ptr("gamma")})
	s, err := c.AcceptNextSessionForQueue(ctx, "session-next", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if s.SessionID() != "gamma" {
		t.Fatalf("session %q", s.SessionID())
	}
	m := receive(t, s, 1)[0]
	if err := s.AbandonMessage(ctx, m, nil); err != nil {
		t.Fatal(err)
	}
	again := receive(t, s, 1)[0]
	if string(again.Body) != "gamma-1" || again.DeliveryCount != m.DeliveryCount+1 {
		t.Fatalf("redelivered %q with delivery count %d after %d", again.Body, again.DeliveryCount, m.DeliveryCount)
	}
	if err := s.CompleteMessage(ctx, again, nil); err != nil {
		t.Fatal(err)
	}
	nothingLeft(t, s)
}
