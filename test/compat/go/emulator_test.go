package compat

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus/admin"
)

const (
	readyLine = "Emulator Service is Successfully Up!"
	keyName   = "RootManageSharedAccessKey"
	key       = "SAS_KEY_VALUE"
)

// emulatorProc is one emulator CLI on free ports.
type emulatorProc struct {
	amqpPort, amqpsPort, httpPort int
	wsPort                        int // --ws-port: AMQP over WebSockets (the admin port serves it too)
	tlsDir                        string
	cmd                           *exec.Cmd
}

// emu is the emulator the whole package's tests share; started by TestMain.
var emu emulatorProc

// stopAfterTests: emulators a test file started for itself, stopped by TestMain.
var stopAfterTests []func()

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func connectionString() string { return emu.connectionString() }

func adminConnectionString() string { return emu.adminConnectionString() }

func (e *emulatorProc) connectionString() string {
	return fmt.Sprintf("Endpoint=sb://localhost:%d;SharedAccessKeyName=%s;SharedAccessKey=%s;UseDevelopmentEmulator=true;", e.amqpPort, keyName, key)
}

func (e *emulatorProc) adminConnectionString() string {
	return fmt.Sprintf("Endpoint=sb://localhost:%d;SharedAccessKeyName=%s;SharedAccessKey=%s;UseDevelopmentEmulator=true;", e.httpPort, keyName, key)
}

func startEmulator(work string) error {
	// No entities (the tests create their own) and Send-only / Listen-only namespace policies.
	if err := emu.start(work, filepath.Join(work, "tls"), "--config", authConfig()); err != nil {
		return err
	}
	// The one setting Go needs for the admin client (HTTPS on the admin port): trust the emulator's CA.
	// crypto/x509 reads SSL_CERT_FILE when it first loads the system roots, i.e. at the first TLS handshake,
	// so every emulator of the package shares this CA (tlsDir).
	return os.Setenv("SSL_CERT_FILE", filepath.Join(emu.tlsDir, "ca.pem"))
}

// start runs dist/cli.js with its log in work/emulator.log, certificates from tlsDir, and extra arguments.
func (e *emulatorProc) start(work, tlsDir string, extra ...string) error {
	root, err := filepath.Abs("../../..")
	if err != nil {
		return err
	}
	cli := filepath.Join(root, "dist", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		return fmt.Errorf("%s missing: run npm run build", cli)
	}
	e.tlsDir = tlsDir
	e.amqpPort, e.amqpsPort, e.httpPort, e.wsPort = freePort(), freePort(), freePort(), freePort()
	level := os.Getenv("SBEMU_LOG_LEVEL")
	if level == "" {
		level = "warn"
	}
	args := append([]string{cli, "--host", "127.0.0.1",
		"--amqp-port", fmt.Sprint(e.amqpPort), "--amqps-port", fmt.Sprint(e.amqpsPort),
		"--http-port", fmt.Sprint(e.httpPort), "--ws-port", fmt.Sprint(e.wsPort),
		"--tls-dir", e.tlsDir, "--log-level", level}, extra...)
	cmd := exec.Command("node", args...)
	logFile, err := os.Create(filepath.Join(work, "emulator.log"))
	if err != nil {
		return err
	}
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	e.cmd = cmd
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		once := false
		for sc.Scan() {
			if !once && strings.Contains(sc.Text(), readyLine) {
				once = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return fmt.Errorf("emulator not ready after 30 s (log: %s)", logFile.Name())
	}
	return nil
}

func stopEmulator() { emu.stop() }

func (e *emulatorProc) stop() {
	if e.cmd == nil || e.cmd.Process == nil {
		return
	}
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- e.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
	}
}

func TestMain(m *testing.M) {
	work, err := os.MkdirTemp("", "sbemu-go-")
	if err != nil {
		panic(err)
	}
	if err := startEmulator(work); err != nil {
		fmt.Fprintln(os.Stderr, "cannot start the emulator:", err)
		os.Exit(1)
	}
	code := m.Run()
	for _, stop := range stopAfterTests {
		stop()
	}
	stopEmulator()
	if code == 0 && os.Getenv("SBEMU_KEEP_LOGS") == "" {
		_ = os.RemoveAll(work)
	} else {
		fmt.Fprintln(os.Stderr, "emulator work dir kept:", work)
	}
	os.Exit(code)
}

// --- helpers -----------------------------------------------------------------------------------

func newClient(t *testing.T) *azservicebus.Client {
	t.Helper()
	c, err := azservicebus.NewClientFromConnectionString(connectionString(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func newAdmin(t *testing.T) *admin.Client {
	t.Helper()
	a, err := admin.NewClientFromConnectionString(adminConnectionString(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

var counter int

func unique(prefix string) string {
	counter++
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1_000_000, counter)
}

func authConfig() string {
	p, err := filepath.Abs(filepath.Join("..", "auth-config.json"))
	if err != nil {
		panic(err)
	}
	return p
}
