// Command goclient is the bench's second load client, on github.com/Azure/go-amqp (the AMQP stack
// of the Azure SDK for Go). It runs the same raw workloads as the rhea client in bench/lib/amqp.ts
// against any AMQP 1.0 system, so the bench can tell whether the rhea client is what limits a
// figure:
//
//   - send: unsettled transfers, at most -window awaiting their accept at a time;
//   - receive-accept: a receiver with -credit, each message accepted (settle mode first);
//   - receive-delete: the sender settles first (receive-and-delete);
//   - suite: warm-up send and receive, then send, receive-accept, send, receive-delete, on one
//     connection, as bench/parts/throughput.ts does with rhea.
//
// It prints one JSON object on stdout: {"send":{"count":..,"ms":..,"rate":..,"refused":..},...}.
//
// Authentication: -auth none (no SASL), plain (SASL PLAIN -user/-pass) or cbs (SASL ANONYMOUS,
// then a SAS token put on $cbs for sb://<host>:<port>/, which the emulator requires before any
// entity link attaches).
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/Azure/go-amqp"
)

type phase struct {
	Count   int     `json:"count"`
	Ms      float64 `json:"ms"`
	Rate    float64 `json:"rate"`
	Refused int     `json:"refused,omitempty"`
	// CPU per message during the phase: the server's processes (-cpu-pids) and this client.
	ServerCPUUs float64 `json:"serverCpuUs,omitempty"`
	ClientCPUUs float64 `json:"clientCpuUs,omitempty"`
}

type options struct {
	host, auth, user, pass, keyName, key, audienceHost string
	port, size, n, window, credit, warm                int
	address, mode, cpuPids                             string
	timeout                                            time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.host, "host", "127.0.0.1", "server host")
	flag.IntVar(&o.port, "port", 5672, "server port")
	flag.StringVar(&o.auth, "auth", "none", "none | plain | cbs")
	flag.StringVar(&o.user, "user", "", "SASL PLAIN user")
	flag.StringVar(&o.pass, "pass", "", "SASL PLAIN password")
	flag.StringVar(&o.keyName, "key-name", "RootManageSharedAccessKey", "SAS key name (cbs)")
	flag.StringVar(&o.key, "key", "SAS_KEY_VALUE", "SAS key (cbs)")
	flag.StringVar(&o.audienceHost, "audience-host", "localhost", "host in the CBS audience and the open's hostname (cbs)")
	flag.StringVar(&o.address, "address", "", "the queue's address on this system")
	flag.IntVar(&o.size, "size", 256, "body bytes (one data section)")
	flag.IntVar(&o.n, "n", 20000, "messages per phase")
	flag.IntVar(&o.window, "window", 1000, "sends awaiting their accept at a time")
	flag.IntVar(&o.credit, "credit", 1000, "receiver credit")
	flag.IntVar(&o.warm, "warm", 0, "suite: warm-up messages (default max(2000, n/4))")
	flag.StringVar(&o.mode, "mode", "suite", "send | receive-accept | receive-delete | suite")
	flag.StringVar(&o.cpuPids, "cpu-pids", "", "comma-separated pids of the server, whose CPU per message is reported (Linux /proc)")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "give up on a phase after this long")
	flag.Parse()
	if o.address == "" {
		fail(fmt.Errorf("-address is required"))
	}
	ctx := context.Background()
	conn, err := dial(ctx, o)
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	sess, err := conn.NewSession(ctx, nil)
	if err != nil {
		fail(err)
	}
	out := map[string]phase{}
	body := make([]byte, o.size)
	for i := range body {
		body[i] = 'a'
	}
	run := func(name, mode string, n int) {
		server, client := serverCPUMs(o.cpuPids), ownCPUMs()
		p, err := runPhase(ctx, sess, o, mode, body, n)
		if err != nil {
			fail(fmt.Errorf("%s: %w", name, err))
		}
		if o.cpuPids != "" {
			p.ServerCPUUs = (serverCPUMs(o.cpuPids) - server) * 1000 / float64(p.Count)
		}
		p.ClientCPUUs = (ownCPUMs() - client) * 1000 / float64(p.Count)
		out[name] = p
	}
	switch o.mode {
	case "suite":
		warm := o.warm
		if warm == 0 {
			warm = max(2000, (o.n+3)/4)
		}
		run("warmSend", "send", warm)
		run("warmReceive", "receive-accept", warm)
		run("send", "send", o.n)
		run("receiveAccept", "receive-accept", o.n)
		run("send2", "send", o.n)
		run("receiveAndDelete", "receive-delete", o.n)
	case "send", "receive-accept", "receive-delete":
		run(o.mode, o.mode, o.n)
	default:
		fail(fmt.Errorf("unknown -mode %q", o.mode))
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

// serverCPUMs is the user and system CPU the given processes have used, from /proc/<pid>/stat
// (100 ticks a second); 0 for a process that is gone.
func serverCPUMs(pids string) float64 {
	ticks := 0.0
	for _, pid := range strings.Split(pids, ",") {
		if pid == "" {
			continue
		}
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			continue
		}
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseFloat(f[11], 64)
		k, _ := strconv.ParseFloat(f[12], 64)
		ticks += u + k
	}
	return ticks * 10
}

// ownCPUMs is this process's user and system CPU so far.
func ownCPUMs() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "goclient: %v\n", err)
	os.Exit(1)
}

func dial(ctx context.Context, o options) (*amqp.Conn, error) {
	opts := &amqp.ConnOptions{IdleTimeout: 120 * time.Second, ContainerID: fmt.Sprintf("bench-go-%d", os.Getpid())}
	switch o.auth {
	case "plain":
		opts.SASLType = amqp.SASLTypePlain(o.user, o.pass)
	case "cbs":
		opts.SASLType = amqp.SASLTypeAnonymous()
		opts.HostName = o.audienceHost
	case "none":
	default:
		return nil, fmt.Errorf("unknown -auth %q", o.auth)
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := amqp.Dial(dctx, fmt.Sprintf("amqp://%s:%d", o.host, o.port), opts)
	if err != nil {
		return nil, err
	}
	if o.auth == "cbs" {
		if err := putToken(dctx, conn, o); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return conn, nil
}

// sasToken is the Service Bus shared access signature (src/auth/sas.ts generateSasToken).
func sasToken(audience, keyName, key string, expires int64) string {
	encoded := url.QueryEscape(audience)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(encoded + "\n" + strconv.FormatInt(expires, 10)))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return fmt.Sprintf("SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s", encoded, url.QueryEscape(sig), expires, url.QueryEscape(keyName))
}

func putToken(ctx context.Context, conn *amqp.Conn, o options) error {
	sess, err := conn.NewSession(ctx, nil)
	if err != nil {
		return err
	}
	defer sess.Close(ctx)
	replyTo := "cbs-reply-bench-go"
	recv, err := sess.NewReceiver(ctx, "$cbs", &amqp.ReceiverOptions{TargetAddress: replyTo, Credit: 1})
	if err != nil {
		return err
	}
	defer recv.Close(ctx)
	send, err := sess.NewSender(ctx, "$cbs", nil)
	if err != nil {
		return err
	}
	defer send.Close(ctx)
	audience := fmt.Sprintf("sb://%s:%d/", o.audienceHost, o.port)
	token := sasToken(audience, o.keyName, o.key, time.Now().Add(3*time.Hour).Unix())
	msg := &amqp.Message{
		Properties:            &amqp.MessageProperties{MessageID: "put-token-1", ReplyTo: &replyTo},
		ApplicationProperties: map[string]any{"operation": "put-token", "type": "servicebus.windows.net:sastoken", "name": audience},
		Value:                 token,
	}
	if err := send.Send(ctx, msg, nil); err != nil {
		return err
	}
	res, err := recv.Receive(ctx, nil)
	if err != nil {
		return err
	}
	_ = recv.AcceptMessage(ctx, res)
	status := res.ApplicationProperties["status-code"]
	if fmt.Sprint(status) != "200" && fmt.Sprint(status) != "202" {
		return fmt.Errorf("CBS put-token answered %v: %v", status, res.ApplicationProperties["status-description"])
	}
	return nil
}

func runPhase(ctx context.Context, sess *amqp.Session, o options, mode string, body []byte, n int) (phase, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if mode == "send" {
		return sendAwaitAccept(ctx, sess, o, body, n)
	}
	return receive(ctx, sess, o, mode == "receive-delete", n)
}

func sendAwaitAccept(ctx context.Context, sess *amqp.Session, o options, body []byte, n int) (phase, error) {
	sender, err := sess.NewSender(ctx, o.address, &amqp.SenderOptions{SettlementMode: amqp.SenderSettleModeUnsettled.Ptr()})
	if err != nil {
		return phase{}, err
	}
	defer closeLink(sender)
	// The window: a slot is taken before each send and given back when its outcome arrives.
	receipts := make(chan amqp.SendReceipt, o.window)
	result := make(chan error, 1)
	refused := 0
	started := time.Now()
	go func() {
		for i := 0; i < n; i++ {
			r := <-receipts
			state, err := r.Wait(ctx)
			if err != nil {
				result <- err
				return
			}
			if _, ok := state.(*amqp.StateAccepted); !ok {
				if refused == 0 {
					fmt.Fprintf(os.Stderr, "goclient: first refusal on %s: %#v\n", o.address, state)
				}
				refused++
			}
		}
		result <- nil
	}()
	for i := 0; i < n; i++ {
		// The message is built per send, as a Go user would: go-amqp encodes it in Send.
		r, err := sender.SendWithReceipt(ctx, &amqp.Message{Data: [][]byte{body}}, nil)
		if err != nil {
			return phase{}, err
		}
		select {
		case receipts <- r:
		case err := <-result:
			return phase{}, fmt.Errorf("send stopped: %v", err)
		}
	}
	if err := <-result; err != nil {
		return phase{}, err
	}
	ms := float64(time.Since(started).Microseconds()) / 1000
	ok := n - refused
	return phase{Count: ok, Ms: ms, Rate: float64(ok) / ms * 1000, Refused: refused}, nil
}

// closeLink detaches without waiting forever: RabbitMQ 3.10 never answers go-amqp's detach, and a
// peer that does not must not hang the run (the phase is timed before the close).
func closeLink(l interface{ Close(context.Context) error }) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = l.Close(ctx)
}

func receive(ctx context.Context, sess *amqp.Session, o options, deleteMode bool, n int) (phase, error) {
	opts := &amqp.ReceiverOptions{Credit: int32(o.credit), SettlementMode: amqp.ReceiverSettleModeFirst.Ptr()}
	if deleteMode {
		opts.RequestedSenderSettleMode = amqp.SenderSettleModeSettled.Ptr()
	}
	recv, err := sess.NewReceiver(ctx, o.address, opts)
	if err != nil {
		return phase{}, err
	}
	defer closeLink(recv)
	var started time.Time
	for i := 0; i < n; i++ {
		msg, err := recv.Receive(ctx, nil)
		if err != nil {
			return phase{}, fmt.Errorf("after %d of %d messages: %w", i, n, err)
		}
		// Count from the first delivery: the attach and first credit are not throughput.
		if i == 0 {
			started = time.Now()
		}
		if !deleteMode {
			if err := recv.AcceptMessage(ctx, msg); err != nil {
				return phase{}, err
			}
		}
	}
	ms := float64(time.Since(started).Microseconds()) / 1000
	return phase{Count: n, Ms: ms, Rate: float64(n-1) / ms * 1000}, nil
}
