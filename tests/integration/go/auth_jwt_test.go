package spatego

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

var noAccountLimits = map[string]any{"subs": -1, "conn": -1, "data": -1, "payload": -1,
	"imports": -1, "exports": -1, "wildcards": true}

// operatorWith starts a server in operator mode with the given accounts (public key -> account
// JWT claims under "nats"), each signed by a fresh operator.
func operatorWith(t *testing.T, dir string, op nkeys.KeyPair, accounts map[string]map[string]any) *testServer {
	t.Helper()
	opPub, err := op.PublicKey()
	must(t, err)
	opFile := filepath.Join(dir, "op.jwt")
	must(t, os.WriteFile(opFile, []byte(mintJWT(t, op, opPub, "OP", "operator", map[string]any{}, nil)), 0o644))
	var preload []string
	for pub, claims := range accounts {
		preload = append(preload, fmt.Sprintf("%s: %q", pub, mintJWT(t, op, pub, pub[:6], "account", claims, nil)))
	}
	return startWithConfig(t, fmt.Sprintf("operator: %q\nresolver: MEMORY\nresolver_preload: { %s }\n",
		opFile, strings.Join(preload, ", ")))
}

// A user JWT restricts where from (src CIDRs), how (allowed_connection_types) and when (times,
// and its expiry, which also ends a connection that is open) its user connects.
func TestOperatorModeUserRestrictions(t *testing.T) {
	o := &operatorSetup{dir: t.TempDir()}
	o.op, _, _ = newKeys(t, nkeys.CreateOperator)
	o.accKey, o.accPub, _ = newKeys(t, nkeys.CreateAccount)
	s := operatorWith(t, o.dir, o.op, map[string]map[string]any{o.accPub: {"limits": noAccountLimits}})

	refused := func(what, creds string) {
		t.Helper()
		if c, err := nats.Connect(s.url, nats.UserCredentials(creds), nats.NoReconnect()); err == nil {
			c.Close()
			t.Fatalf("%s: connected", what)
		} else if !strings.Contains(strings.ToLower(err.Error()), "authorization violation") {
			t.Fatalf("%s: %v", what, err)
		}
	}
	accepted := func(what, creds string) {
		t.Helper()
		c, err := nats.Connect(s.url, nats.UserCredentials(creds), nats.NoReconnect())
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		c.Close()
	}
	user := func(name string, nats map[string]any, extra map[string]any) string {
		creds, _ := o.user(t, o.accKey, name, nats, extra)
		return creds
	}
	refused("src elsewhere", user("far", map[string]any{"src": []string{"10.0.0.0/8", "192.0.2.0/24"}}, nil))
	accepted("src loopback", user("near", map[string]any{"src": []string{"10.0.0.0/8", "127.0.0.0/8"}}, nil))
	refused("websocket only", user("ws", map[string]any{"allowed_connection_types": []string{"WEBSOCKET"}}, nil))
	accepted("standard", user("std", map[string]any{"allowed_connection_types": []string{"STANDARD", "WEBSOCKET"}}, nil))

	now := time.Now().UTC()
	clock := func(d time.Duration) string { return now.Add(d).Format("15:04:05") }
	refused("outside its times", user("later", map[string]any{"times_location": "UTC",
		"times": []map[string]string{{"start": clock(time.Hour), "end": clock(2 * time.Hour)}}}, nil))
	accepted("inside its times", user("now", map[string]any{"times_location": "UTC",
		"times": []map[string]string{{"start": clock(-time.Hour), "end": clock(time.Hour)}}}, nil))

	// A login ends with its JWT: the open connection is closed with nats-server's error.
	short := user("short", nil, map[string]any{"exp": time.Now().Add(2 * time.Second).Unix()})
	errs := &asyncErrors{}
	nc := connect(t, s, nats.UserCredentials(short), errs.option())
	must(t, nc.Flush())
	waitFor(t, 6*time.Second, nc.IsClosed, "the connection to close when its JWT expires")
	errs.waitFor(t, "authentication expired") // nats.go reports it as ErrAuthExpired
}

// Account JWTs declare exports and imports: a stream import (with a prefix) and a service
// import work across the two accounts; an account's subs limit caps each connection.
func TestOperatorModeAccountImportsExports(t *testing.T) {
	dir := t.TempDir()
	op, _, _ := newKeys(t, nkeys.CreateOperator)
	aKey, aPub, _ := newKeys(t, nkeys.CreateAccount)
	bKey, bPub, _ := newKeys(t, nkeys.CreateAccount)
	limited := map[string]any{}
	for k, v := range noAccountLimits {
		limited[k] = v
	}
	limited["subs"] = 3
	s := operatorWith(t, dir, op, map[string]map[string]any{
		aPub: {"limits": noAccountLimits, "exports": []map[string]any{
			{"name": "events", "subject": "events.>", "type": "stream"},
			{"name": "help", "subject": "help", "type": "service"}}},
		bPub: {"limits": limited, "imports": []map[string]any{
			{"name": "ev", "subject": "events.>", "account": aPub, "to": "from_a", "type": "stream"},
			{"name": "h", "subject": "help", "account": aPub, "type": "service"}}},
	})
	userOf := func(key nkeys.KeyPair, name string) string {
		_, pub, seed := newKeys(t, nkeys.CreateUser)
		return writeCreds(t, dir, name, mintJWT(t, key, pub, name, "user",
			map[string]any{"subs": -1, "data": -1, "payload": -1}, nil), seed)
	}
	a := connect(t, s, nats.UserCredentials(userOf(aKey, "a")))
	b := connect(t, s, nats.UserCredentials(userOf(bKey, "b")))

	_, err := a.Subscribe("help", func(m *nats.Msg) { _ = m.Respond([]byte("helped " + string(m.Data))) })
	must(t, err)
	must(t, a.Flush())
	events, err := b.SubscribeSync("from_a.events.>")
	must(t, err)
	must(t, b.Flush())

	must(t, a.Publish("events.created", []byte("e1")))
	expectMsg(t, events, "e1")
	reply, err := b.Request("help", []byte("b"), 2*time.Second)
	must(t, err)
	if string(reply.Data) != "helped b" {
		t.Fatalf("service reply %q", reply.Data)
	}
	// B's own subjects stay its own: A does not see them.
	onA, err := a.SubscribeSync("private")
	must(t, err)
	must(t, a.Flush())
	must(t, b.Publish("private", []byte("b only")))
	must(t, b.Flush())
	expectNoMsg(t, onA, 200*time.Millisecond)

	// The account allows 3 subscriptions per connection (B has 2, one more is fine, then not).
	errs := &asyncErrors{}
	b2 := connect(t, s, nats.UserCredentials(userOf(bKey, "b2")), errs.option())
	for i := 0; i < 3; i++ {
		_, err := b2.SubscribeSync(fmt.Sprintf("s.%d", i))
		must(t, err)
	}
	must(t, b2.Flush())
	_, _ = b2.SubscribeSync("s.3")
	_ = b2.Flush()
	waitFor(t, 5*time.Second, func() bool {
		return errs.has("maximum subscriptions exceeded") || (b2.LastError() != nil &&
			strings.Contains(strings.ToLower(b2.LastError().Error()), "maximum subscriptions exceeded"))
	}, "the fourth subscription to be refused")
}
