package compat

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus/admin"
	"github.com/coder/websocket"
)

// azservicebus over WebSockets: ClientOptions.NewWebSocketConn gets args.Host =
// "wss://<endpoint host[:port]>/$servicebus/websocket" and leaves the dial to the user, as in the
// SDK's own example (github.com/coder/websocket, binary messages, subprotocol "amqp"). The SDK has no
// custom endpoint for WebSockets (ClientOptions.CustomEndpoint moves only the AMQP dial), so the dial
// function is where a client that would go to 443 is sent elsewhere.

// wsRoute is one way to reach the emulator over WebSockets.
type wsRoute struct {
	name string
	// conn is the connection string the client is built from.
	conn func() string
	// port, if not 0, replaces the port of args.Host in the dial function.
	port        func() int
	subprotocol string
}

var wsRoutes = []wsRoute{
	// The admin connection string: args.Host already names the admin port, which serves the path.
	{name: "admin-port", conn: adminConnectionString, port: func() int { return 0 }, subprotocol: "amqp"},
	// The usual connection string, and the dial sent to the --ws-port listener.
	{name: "ws-port", conn: connectionString, port: func() int { return emu.wsPort }, subprotocol: "AMQPWSB10"},
}

func webSocketClient(t *testing.T, route wsRoute) *azservicebus.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(emu.tlsDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	httpClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	dial := func(ctx context.Context, args azservicebus.NewWebSocketConnArgs) (net.Conn, error) {
		target, err := url.Parse(args.Host)
		if err != nil {
			return nil, err
		}
		if target.Scheme != "wss" || target.Path != "/$servicebus/websocket" {
			return nil, fmt.Errorf("unexpected WebSocket address %q", args.Host)
		}
		if p := route.port(); p != 0 {
			target.Host = fmt.Sprintf("%s:%d", target.Hostname(), p)
		}
		ws, _, err := websocket.Dial(ctx, target.String(), &websocket.DialOptions{Subprotocols: []string{route.subprotocol}, HTTPClient: httpClient})
		if err != nil {
			return nil, err
		}
		if ws.Subprotocol() != route.subprotocol {
			return nil, fmt.Errorf("subprotocol %q, want %q", ws.Subprotocol(), route.subprotocol)
		}
		// The connection outlives the dial's context: NetConn gets its own.
		return websocket.NetConn(context.Background(), ws, websocket.MessageBinary), nil
	}
	c, err := azservicebus.NewClientFromConnectionString(route.conn(), &azservicebus.ClientOptions{NewWebSocketConn: dial})
	if err != nil {
		t.Fatal(err)
	}
	// Closing over WebSockets may report the close handshake as an error (see the SDK's example).
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func TestWebSocketSendReceive(t *testing.T) {
	for _, route := range wsRoutes {
		t.Run(route.name, func(t *testing.T) {
			c := webSocketClient(t, route)
			q := createQueue(t, nil)
			one := body("one")
			one.ApplicationProperties = map[string]any{"via": "websocket"}
			send(t, c, q, one)
			ctx := ctxFor(t, 30*time.Second)
			s, err := c.NewSender(q, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(context.Background())
			batch, err := s.NewMessageBatch(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range []string{"two", "three"} {
				if err := batch.AddMessage(body(b), nil); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.SendMessageBatch(ctx, batch, nil); err != nil {
				t.Fatalf("SendMessageBatch: %v", err)
			}

			r, err := c.NewReceiverForQueue(q, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close(context.Background())
			first := receiveN(t, r, 1, 10*time.Second)
			eq(t, "first", []string{"one"}, bodies(first))
			eq(t, "property", "websocket", first[0].ApplicationProperties["via"])
			if err := r.CompleteMessage(ctx, first[0], nil); err != nil {
				t.Fatalf("complete: %v", err)
			}
			rd, err := c.NewReceiverForQueue(q, &azservicebus.ReceiverOptions{ReceiveMode: azservicebus.ReceiveModeReceiveAndDelete})
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close(context.Background())
			eq(t, "rest", []string{"two", "three"}, bodies(receiveN(t, rd, 2, 10*time.Second)))
			eq(t, "active", int32(0), runtimeProps(t, q).ActiveMessageCount)
		})
	}
}

func TestWebSocketSessions(t *testing.T) {
	for _, route := range wsRoutes {
		t.Run(route.name, func(t *testing.T) {
			c := webSocketClient(t, route)
			q := createQueue(t, &admin.QueueProperties{RequiresSession: to.Ptr(true)})
			send(t, c, q, sessionMsg("a", "a1"), sessionMsg("a", "a2"), sessionMsg("a", "a3"), sessionMsg("b", "b1"))
			ctx := ctxFor(t, 60*time.Second)
			a, err := c.AcceptSessionForQueue(ctx, q, "a", nil)
			if err != nil {
				t.Fatalf("accept a: %v", err)
			}
			got := receiveN(t, a, 3, 10*time.Second)
			eq(t, "in order", []string{"a1", "a2", "a3"}, bodies(got))
			for _, m := range got {
				if err := a.CompleteMessage(ctx, m, nil); err != nil {
					t.Fatalf("complete: %v", err)
				}
			}
			if err := a.SetSessionState(ctx, []byte("done"), nil); err != nil {
				t.Fatalf("set state: %v", err)
			}
			state, err := a.GetSessionState(ctx, nil)
			if err != nil {
				t.Fatalf("get state: %v", err)
			}
			eq(t, "state", "done", string(state))
			_ = a.Close(ctx)

			next, err := c.AcceptNextSessionForQueue(ctx, q, nil)
			if err != nil {
				t.Fatalf("accept next: %v", err)
			}
			defer next.Close(context.Background())
			eq(t, "next session", "b", next.SessionID())
			b := receiveN(t, next, 1, 10*time.Second)
			eq(t, "b", []string{"b1"}, bodies(b))
			if err := next.CompleteMessage(ctx, b[0], nil); err != nil {
				t.Fatalf("complete b1: %v", err)
			}
			eq(t, "active", int32(0), runtimeProps(t, q).ActiveMessageCount)
		})
	}
}
