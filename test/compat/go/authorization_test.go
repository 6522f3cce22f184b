package compat

// Authorization as Azure does it, through the official Go SDK: Send-only and Listen-only namespace
// policies (../auth-config.json), an entity-level policy created with the admin client, and
// SharedAccessSignature connection strings (valid, then expired).

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus/admin"
)

func clientAs(t *testing.T, connectionString string) *azservicebus.Client {
	t.Helper()
	c, err := azservicebus.NewClientFromConnectionString(connectionString, &azservicebus.ClientOptions{
		RetryOptions: azservicebus.RetryOptions{MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(ctxFor(t, 10*time.Second)) })
	return c
}

func keyConnectionString(keyName, key string) string {
	return fmt.Sprintf("Endpoint=sb://localhost:%d;SharedAccessKeyName=%s;SharedAccessKey=%s;UseDevelopmentEmulator=true;", emu.amqpPort, keyName, key)
}

func wantUnauthorized(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil || !(sbCode(err) == azservicebus.CodeUnauthorizedAccess || strings.Contains(err.Error(), "unauthorized")) {
		t.Fatalf("%s: want unauthorized, got %v (code %q)", what, err, sbCode(err))
	}
}

func sendOne(t *testing.T, c *azservicebus.Client, queue, text string) error {
	t.Helper()
	s, err := c.NewSender(queue, nil)
	if err != nil {
		return err
	}
	defer s.Close(ctxFor(t, 10*time.Second))
	return s.SendMessage(ctxFor(t, 20*time.Second), body(text), nil)
}

func receiveDelete(t *testing.T, c *azservicebus.Client, queue string) []string {
	t.Helper()
	r, err := c.NewReceiverForQueue(queue, &azservicebus.ReceiverOptions{ReceiveMode: azservicebus.ReceiveModeReceiveAndDelete})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctxFor(t, 10*time.Second))
	return bodies(receiveN(t, r, 1, 10*time.Second))
}

func TestSendOnlyAndListenOnlyPolicies(t *testing.T) {
	q := createQueue(t, nil)
	sender := clientAs(t, keyConnectionString("send-only", "send-only-key"))
	if err := sendOne(t, sender, q, "sent with Send only"); err != nil {
		t.Fatalf("send with a Send-only policy: %v", err)
	}
	r, _ := sender.NewReceiverForQueue(q, nil)
	_, err := r.ReceiveMessages(ctxFor(t, 20*time.Second), 1, nil)
	wantUnauthorized(t, "receive with a Send-only policy", err)

	listener := clientAs(t, keyConnectionString("listen-only", "listen-only-key"))
	wantUnauthorized(t, "send with a Listen-only policy", sendOne(t, listener, q, "no"))
	eq(t, "received with a Listen-only policy", []string{"sent with Send only"}, receiveDelete(t, listener, q))
}

func TestEntityPolicyFromAdminClient(t *testing.T) {
	// No keys given: the service generates them, as Azure does, and the admin client reads them back.
	q := createQueue(t, &admin.QueueProperties{AuthorizationRules: []admin.AuthorizationRule{{
		KeyName: to.Ptr("app"), AccessRights: []admin.AccessRight{admin.AccessRightSend, admin.AccessRightListen}}}})
	other := createQueue(t, nil)
	got, err := newAdmin(t).GetQueue(ctxFor(t, 20*time.Second), q, nil)
	if err != nil || got == nil || len(got.AuthorizationRules) != 1 {
		t.Fatalf("GetQueue: %v %+v", err, got)
	}
	rule := got.AuthorizationRules[0]
	eq(t, "key name", "app", *rule.KeyName)
	eq(t, "rights", []admin.AccessRight{admin.AccessRightSend, admin.AccessRightListen}, rule.AccessRights)
	if rule.PrimaryKey == nil || len(*rule.PrimaryKey) != 44 || rule.CreatedTime == nil {
		t.Fatalf("want a generated 44-character key and a created time, got %+v", rule)
	}

	app := clientAs(t, keyConnectionString("app", *rule.PrimaryKey))
	if err := sendOne(t, app, q, "entity key"); err != nil {
		t.Fatalf("send with the entity key: %v", err)
	}
	eq(t, "received with the entity key", []string{"entity key"}, receiveDelete(t, app, q))
	wantUnauthorized(t, "the entity key on another queue", sendOne(t, app, other, "elsewhere"))
}

// sasToken signs a token as the SDKs do: HMAC-SHA256 over the encoded resource and the expiry.
func sasToken(resource, keyName, key string, expiry int64) string {
	sr := url.QueryEscape(resource)
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "%s\n%d", sr, expiry)
	sig := url.QueryEscape(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return fmt.Sprintf("SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s", sr, sig, expiry, keyName)
}

func TestSASConnectionStringValidThenExpired(t *testing.T) {
	q := createQueue(t, nil)
	resource := fmt.Sprintf("sb://localhost:%d/", emu.amqpPort)
	withToken := func(expiry int64) string {
		return fmt.Sprintf("Endpoint=sb://localhost:%d;SharedAccessSignature=%s;UseDevelopmentEmulator=true;", emu.amqpPort, sasToken(resource, keyName, key, expiry))
	}
	now := time.Now().Unix()
	if err := sendOne(t, clientAs(t, withToken(now+3600)), q, "signed by the caller"); err != nil {
		t.Fatalf("send with a valid SAS connection string: %v", err)
	}
	wantUnauthorized(t, "send with an expired SAS", sendOne(t, clientAs(t, withToken(now-60)), q, "expired"))
	eq(t, "only the valid one enqueued", int32(1), runtimeProps(t, q).ActiveMessageCount)
}
