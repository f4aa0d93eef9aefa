package spatego

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// startWithConfig writes conf into a fresh dir and starts the server with it (and extra args).
func startWithConfig(t *testing.T, conf string, args ...string) *testServer {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "server.conf")
	must(t, os.WriteFile(path, []byte(conf), 0o644))
	return startServerIn(t, dir, append([]string{"-c", path}, args...)...)
}

// asyncErrors collects the -ERR texts the server sends to a connection.
type asyncErrors struct {
	mu   sync.Mutex
	errs []string
}

func (a *asyncErrors) option() nats.Option {
	return nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		a.mu.Lock()
		a.errs = append(a.errs, err.Error())
		a.mu.Unlock()
	})
}

// waitFor waits until some collected error contains want (case-insensitively: nats.go
// lowercases the text it wraps).
func (a *asyncErrors) waitFor(t *testing.T, want string) {
	t.Helper()
	waitFor(t, 5*time.Second, func() bool { return a.has(want) }, "an error containing %q", want)
}

func (a *asyncErrors) has(want string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.errs {
		if strings.Contains(strings.ToLower(e), strings.ToLower(want)) {
			return true
		}
	}
	return false
}

func expectMsg(t *testing.T, sub *nats.Subscription, data string) {
	t.Helper()
	m, err := sub.NextMsg(2 * time.Second)
	if err != nil {
		t.Fatalf("waiting for %q on %s: %v", data, sub.Subject, err)
	}
	if string(m.Data) != data {
		t.Fatalf("on %s: got %q, want %q", sub.Subject, m.Data, data)
	}
}

func expectNoMsg(t *testing.T, sub *nats.Subscription, wait time.Duration) {
	t.Helper()
	if m, err := sub.NextMsg(wait); err == nil {
		t.Fatalf("on %s: unexpected message %q on %q", sub.Subject, m.Data, m.Subject)
	}
}

const accountsConf = `
accounts {
  A { users = [ {user: a, password: pa}, {user: a2, password: pa2} ] }
  B { users = [ {user: b, password: pb} ] }
}
`

// Accounts are separate subject spaces: a message published in one never reaches another.
func TestAccountsIsolateSubjects(t *testing.T) {
	s := startWithConfig(t, accountsConf)
	a := connect(t, s, nats.UserInfo("a", "pa"))
	a2 := connect(t, s, nats.UserInfo("a2", "pa2"))
	b := connect(t, s, nats.UserInfo("b", "pb"))
	subA, err := a.SubscribeSync("x.>")
	must(t, err)
	subB, err := b.SubscribeSync("x.>")
	must(t, err)
	must(t, a.Flush())
	must(t, b.Flush())
	must(t, a2.Publish("x.1", []byte("from A")))
	must(t, b.Publish("x.2", []byte("from B")))
	must(t, a2.Flush())
	must(t, b.Flush())
	expectMsg(t, subA, "from A")
	expectMsg(t, subB, "from B")
	expectNoMsg(t, subA, 200*time.Millisecond)
	expectNoMsg(t, subB, 50*time.Millisecond)
	// Request/reply stays within the account too: B sees no responder of A.
	_, err = a.Subscribe("svc", func(m *nats.Msg) { _ = m.Respond([]byte("ok")) })
	must(t, err)
	must(t, a.Flush())
	if _, err := b.Request("svc", nil, time.Second); !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("request across accounts: got %v, want no responders", err)
	}
	if m, err := a2.Request("svc", nil, 2*time.Second); err != nil || string(m.Data) != "ok" {
		t.Fatalf("request within the account: %v", err)
	}
	// A wrong password for an account user is refused like any other.
	if nc, err := nats.Connect(s.url, nats.UserInfo("b", "pa"), nats.NoReconnect()); err == nil {
		nc.Close()
		t.Fatal("connected with another user's password")
	}
}

const permissionsConf = `
authorization {
  users = [
    {user: admin, password: admin}
    {user: limited, password: limited, permissions: {
      publish: {allow: ["foo.>", "_INBOX.>"], deny: "foo.secret"}
      subscribe: {allow: ["foo.>", "_INBOX.>", "q"], deny: "foo.secret"}
    }}
    {user: responder, password: responder, permissions: {subscribe: "svc", allow_responses: true}}
    {user: queues, password: queues, permissions: {subscribe: {allow: ["jobs workers", "jobs v1.*", "plain"], deny: "> *.prod"}}}
  ]
}
`

// Publish and subscribe permissions: a violation is answered with nats-server's -ERR and the
// connection stays usable.
func TestPermissionsRefusePublishAndSubscribe(t *testing.T) {
	s := startWithConfig(t, permissionsConf)
	admin := connect(t, s, nats.UserInfo("admin", "admin"))
	errs := &asyncErrors{}
	nc := connect(t, s, nats.UserInfo("limited", "limited"), errs.option())
	watch, err := admin.SubscribeSync(">")
	must(t, err)
	must(t, admin.Flush())

	must(t, nc.Publish("bar", []byte("refused")))
	errs.waitFor(t, `Permissions Violation for Publish to "bar"`)
	must(t, nc.Publish("foo.secret", []byte("refused")))
	errs.waitFor(t, `Permissions Violation for Publish to "foo.secret"`)
	must(t, nc.Publish("foo.ok", []byte("allowed")))
	must(t, nc.Flush())
	expectMsg(t, watch, "allowed")
	expectNoMsg(t, watch, 100*time.Millisecond)

	_, err = nc.SubscribeSync("bar")
	must(t, err)
	errs.waitFor(t, `Permissions Violation for Subscription to "bar"`)
	_, err = nc.SubscribeSync("foo.secret")
	must(t, err)
	errs.waitFor(t, `Permissions Violation for Subscription to "foo.secret"`)
	if nc.IsClosed() {
		t.Fatal("a permissions violation closed the connection")
	}

	// A wildcard subscription that covers a denied subject is allowed, but the denied messages
	// are not delivered to it.
	wide, err := nc.SubscribeSync("foo.*")
	must(t, err)
	must(t, nc.Flush())
	must(t, admin.Publish("foo.secret", []byte("hidden")))
	must(t, admin.Publish("foo.open", []byte("shown")))
	must(t, admin.Flush())
	expectMsg(t, wide, "shown")
	expectNoMsg(t, wide, 100*time.Millisecond)

	// Requests work through the allowed inbox.
	_, err = admin.Subscribe("foo.svc", func(m *nats.Msg) { _ = m.Respond([]byte("pong")) })
	must(t, err)
	must(t, admin.Flush())
	if m, err := nc.Request("foo.svc", nil, 2*time.Second); err != nil || string(m.Data) != "pong" {
		t.Fatalf("request with permissions: %v", err)
	}
}

// allow_responses: a responder may publish only to the reply subject of a request it received,
// once by default.
func TestPermissionsAllowResponses(t *testing.T) {
	s := startWithConfig(t, permissionsConf)
	admin := connect(t, s, nats.UserInfo("admin", "admin"))
	errs := &asyncErrors{}
	svc := connect(t, s, nats.UserInfo("responder", "responder"), errs.option())
	_, err := svc.Subscribe("svc", func(m *nats.Msg) {
		_ = m.Respond([]byte("first"))
		_ = m.Respond([]byte("second")) // over max: refused
	})
	must(t, err)
	must(t, svc.Flush())
	inbox, err := admin.SubscribeSync("replies.1")
	must(t, err)
	must(t, admin.PublishRequest("svc", "replies.1", []byte("q")))
	must(t, admin.Flush())
	expectMsg(t, inbox, "first")
	errs.waitFor(t, `Permissions Violation for Publish to "replies.1"`)
	expectNoMsg(t, inbox, 100*time.Millisecond)
	// Publishing anywhere else is refused: allow_responses alone allows no other subject.
	must(t, svc.Publish("other", nil))
	errs.waitFor(t, `Permissions Violation for Publish to "other"`)
}

// Queue permissions: "subject queue" entries constrain queue subscriptions.
func TestPermissionsQueueGroups(t *testing.T) {
	s := startWithConfig(t, permissionsConf)
	errs := &asyncErrors{}
	nc := connect(t, s, nats.UserInfo("queues", "queues"), errs.option())
	_, err := nc.QueueSubscribeSync("jobs", "workers")
	must(t, err)
	_, err = nc.QueueSubscribeSync("jobs", "v1.a")
	must(t, err)
	must(t, nc.Flush())
	_, err = nc.QueueSubscribeSync("jobs", "others")
	must(t, err)
	errs.waitFor(t, `Permissions Violation for Subscription to "jobs" using queue "others"`)
	_, err = nc.SubscribeSync("jobs")
	must(t, err)
	errs.waitFor(t, `Permissions Violation for Subscription to "jobs"`)
	_, err = nc.QueueSubscribeSync("plain", "x.prod")
	must(t, err)
	errs.waitFor(t, `Permissions Violation for Subscription to "plain" using queue "x.prod"`)
	// The allowed ones did not draw an error.
	errs.mu.Lock()
	defer errs.mu.Unlock()
	for _, e := range errs.errs {
		if strings.Contains(e, `"workers"`) || strings.Contains(e, `"v1.a"`) {
			t.Fatalf("an allowed queue subscription was refused: %s", e)
		}
	}
}

const defaultsConf = `
authorization {
  default_permissions = { publish: "sandbox.>", subscribe: ["sandbox.>", "_INBOX.>"] }
  users = [ {user: u, password: p}, {user: anon, password: none} ]
}
no_auth_user: anon
`

// default_permissions apply to users without their own; no_auth_user is who connects without
// credentials.
func TestDefaultPermissionsAndNoAuthUser(t *testing.T) {
	s := startWithConfig(t, defaultsConf)
	errs := &asyncErrors{}
	nc := connect(t, s, errs.option()) // no credentials: the no_auth_user
	must(t, nc.Publish("elsewhere", nil))
	errs.waitFor(t, `Permissions Violation for Publish to "elsewhere"`)
	u := connect(t, s, nats.UserInfo("u", "p"))
	sub, err := u.SubscribeSync("sandbox.x")
	must(t, err)
	must(t, u.Flush())
	must(t, nc.Publish("sandbox.x", []byte("ok")))
	must(t, nc.Flush())
	expectMsg(t, sub, "ok")
}

const jsAccountsConf = `
accounts {
  LIMITED { users = [ {user: l, password: l} ], jetstream: {max_streams: 1, max_consumers: 1, max_mem: 2K} }
  OPEN { users = [ {user: o, password: o} ], jetstream: enabled }
  NOJS { users = [ {user: n, password: n} ] }
}
`

func jsAs(t *testing.T, s *testServer, user string) (*nats.Conn, nats.JetStreamContext) {
	t.Helper()
	nc := connect(t, s, nats.UserInfo(user, user))
	js, err := nc.JetStream(nats.MaxWait(5 * time.Second))
	must(t, err)
	return nc, js
}

// JetStream per account: each account has its own streams, the account's limits are enforced
// with nats-server's errors, an account without JetStream is told so, and every account's
// streams come back after a restart.
func TestJetStreamPerAccount(t *testing.T) {
	s := startWithConfig(t, jsAccountsConf, "-js")
	_, njs := jsAs(t, s, "n")
	_, err := njs.AccountInfo()
	apiErrCode(t, err, 10039, "account info without JetStream")

	_, ljs := jsAs(t, s, "l")
	ai, err := ljs.AccountInfo()
	must(t, err)
	if ai.Limits.MaxStreams != 1 || ai.Limits.MaxConsumers != 1 || ai.Limits.MaxMemory != 2000 {
		t.Fatalf("account limits: %+v", ai.Limits)
	}
	addStream(t, ljs, &nats.StreamConfig{Name: "S", Subjects: []string{"l.>"}, Storage: nats.MemoryStorage})
	_, err = ljs.AddStream(&nats.StreamConfig{Name: "S2", Subjects: []string{"l2.>"}, Storage: nats.MemoryStorage})
	apiErrCode(t, err, 10027, "a second stream over max_streams")
	_, err = ljs.AddConsumer("S", &nats.ConsumerConfig{Durable: "C1", AckPolicy: nats.AckExplicitPolicy})
	must(t, err)
	_, err = ljs.AddConsumer("S", &nats.ConsumerConfig{Durable: "C2", AckPolicy: nats.AckExplicitPolicy})
	apiErrCode(t, err, 10026, "a second consumer over max_consumers")
	// The memory limit: publishes are refused once the account holds more than 2 KiB.
	payload := make([]byte, 700)
	var refused error
	for i := 0; i < 10 && refused == nil; i++ {
		_, refused = ljs.Publish("l.x", payload)
	}
	apiErrCode(t, refused, 10002, "publishing past the account's max_mem")

	_, ojs := jsAs(t, s, "o")
	if names := collect(ojs.StreamNames()); len(names) != 0 {
		t.Fatalf("OPEN sees streams of another account: %v", names)
	}
	// The same name and subjects in another account is another stream.
	addStream(t, ojs, &nats.StreamConfig{Name: "S", Subjects: []string{"l.>"}})
	publish(t, ojs, "l.y", "open")
	wantState(t, ojs, "S", 1, 1, 1)

	s2 := s.restart(t)
	_, ojs = jsAs(t, s2, "o")
	wantState(t, ojs, "S", 1, 1, 1)
	_, njs = jsAs(t, s2, "n")
	_, err = njs.AccountInfo()
	apiErrCode(t, err, 10039, "account info without JetStream after a restart")
}

const importsConf = `
accounts {
  PROVIDER {
    users = [ {user: p, password: p} ]
    exports = [
      {stream: "events.>"}
      {service: "help.*", accounts: [CONSUMER]}
      {service: "private", accounts: [NOBODY]}
    ]
  }
  CONSUMER {
    users = [ {user: c, password: c} ]
    imports = [
      {stream: {account: PROVIDER, subject: "events.>"}, prefix: "provider"}
      {service: {account: PROVIDER, subject: "help.me"}, to: "help"}
      {service: {account: PROVIDER, subject: "help.none"}}
    ]
  }
  NOBODY { users = [ {user: x, password: x} ] }
}
`

// Stream and service imports carry messages, requests and replies between accounts, and only
// what was exported and imported.
func TestAccountImportsAndExports(t *testing.T) {
	s := startWithConfig(t, importsConf)
	p := connect(t, s, nats.UserInfo("p", "p"))
	c := connect(t, s, nats.UserInfo("c", "c"))
	x := connect(t, s, nats.UserInfo("x", "x"))

	// Stream import under a prefix.
	events, err := c.SubscribeSync("provider.events.>")
	must(t, err)
	unprefixed, err := c.SubscribeSync("events.>")
	must(t, err)
	must(t, c.Flush())
	must(t, p.Publish("events.order", []byte("e1")))
	must(t, p.Publish("other", []byte("not exported")))
	must(t, p.Flush())
	m, err := events.NextMsg(2 * time.Second)
	must(t, err)
	if m.Subject != "provider.events.order" || string(m.Data) != "e1" {
		t.Fatalf("imported stream message: %q %q", m.Subject, m.Data)
	}
	expectNoMsg(t, unprefixed, 100*time.Millisecond)

	// Service import under a local name; the reply comes back to the requester.
	_, err = p.Subscribe("help.me", func(m *nats.Msg) { _ = m.Respond(append([]byte("re: "), m.Data...)) })
	must(t, err)
	must(t, p.Flush())
	r, err := c.Request("help", []byte("q1"), 2*time.Second)
	must(t, err)
	if string(r.Data) != "re: q1" {
		t.Fatalf("service import reply: %q", r.Data)
	}
	// An imported service nobody serves: spate answers no responders at once; nats-server 2.9
	// lets the request time out.
	_, err = c.Request("help.none", nil, 2*time.Second)
	if serverBefore(c, 2, 10) {
		if !errors.Is(err, nats.ErrTimeout) {
			t.Fatalf("request to an unserved import: %v", err)
		}
	} else if !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("request to an unserved import: %v", err)
	}
	// Nothing leaks to an account that imports nothing.
	if _, err := x.Request("help", nil, 300*time.Millisecond); err == nil {
		t.Fatal("an account without the import reached the service")
	}
}

// An import without a matching export stops the server at startup with a clear error.
func TestImportWithoutExportIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server.conf")
	must(t, os.WriteFile(path, []byte(`
accounts {
  A { exports = [ {service: "svc", accounts: [C]} ] }
  B { imports = [ {service: {account: A, subject: "svc"}} ] }
  C { }
}
`), 0o644))
	out, err := exec.Command(serverBinary(t), "-c", path, "-a", "127.0.0.1", "-p", "-1").CombinedOutput()
	if err == nil {
		t.Fatalf("the server started with an unauthorized import:\n%s", out)
	}
	if !strings.Contains(strings.ToLower(string(out)), "not authorized") {
		t.Fatalf("no clear error for the unauthorized import:\n%s", out)
	}
}

// Imports that would send messages or requests around between accounts for ever are refused at
// startup ("import forms a cycle"); the same subjects without the loop are fine.
func TestImportCyclesAreRefused(t *testing.T) {
	for name, conf := range map[string]string{
		"stream": `
accounts {
  A { exports = [ {stream: "x.>"} ], imports = [ {stream: {account: B, subject: "x.>"}} ] }
  B { exports = [ {stream: "x.>"} ], imports = [ {stream: {account: A, subject: "x.>"}} ] }
}
`,
		"service": `
accounts {
  A { exports = [ {service: "svc"} ], imports = [ {service: {account: B, subject: "svc"}} ] }
  B { exports = [ {service: "svc"} ], imports = [ {service: {account: A, subject: "svc"}} ] }
}
`,
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "server.conf")
		must(t, os.WriteFile(path, []byte(conf), 0o644))
		run := exec.Command(serverBinary(t), "-c", path, "-a", "127.0.0.1", "-p", "-1")
		done := make(chan []byte, 1)
		go func() { b, _ := run.CombinedOutput(); done <- b }()
		select {
		case b := <-done:
			if !strings.Contains(string(b), "cycle") {
				t.Errorf("%s: no cycle error:\n%s", name, b)
			}
		case <-time.After(5 * time.Second):
			_ = run.Process.Kill()
			t.Errorf("%s: the server started with an import cycle", name)
		}
	}
	// Prefixed stream imports both ways do not loop: each lands on a subject the other does not
	// import.
	s := startWithConfig(t, `
accounts {
  A { users = [{user: a, password: a}], exports = [ {stream: "a.>"} ], imports = [ {stream: {account: B, subject: "b.>"}, prefix: "from_b"} ] }
  B { users = [{user: b, password: b}], exports = [ {stream: "b.>"} ], imports = [ {stream: {account: A, subject: "a.>"}, prefix: "from_a"} ] }
}
`)
	a := connect(t, s, nats.UserInfo("a", "a"))
	b := connect(t, s, nats.UserInfo("b", "b"))
	sub, err := a.SubscribeSync("from_b.b.>")
	must(t, err)
	must(t, a.Flush())
	must(t, b.Publish("b.1", []byte("hello")))
	expectMsg(t, sub, "hello")
}

// A token: the right one connects, any other does not.
func TestTokenAuthentication(t *testing.T) {
	s := startWithConfig(t, "authorization { token: \"s3cr3t\" }\n")
	nc := connect(t, s, nats.Token("s3cr3t"))
	must(t, nc.Flush())
	for _, opt := range []nats.Option{nats.Token("wrong"), nats.UserInfo("s3cr3t", "")} {
		if c, err := nats.Connect(s.url, opt, nats.NoReconnect()); err == nil {
			c.Close()
			t.Fatal("connected without the token")
		}
	}
}

// The JetStream API is a set of subjects like any other: a user without publish permission on
// $JS.API.> can not manage streams (the violation is reported, the request goes unanswered),
// one with it can, and neither sees another account's streams.
func TestPermissionsApplyToTheJetStreamAPI(t *testing.T) {
	s := startWithConfig(t, `
accounts {
  A {
    jetstream: enabled
    users = [
      {user: admin, password: admin}
      {user: app, password: app, permissions: {publish: "orders.>", subscribe: "_INBOX.>"}}
    ]
  }
}
`, "-js")
	_, adminJS := jsAs(t, s, "admin")
	addStream(t, adminJS, &nats.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}})

	errs := &asyncErrors{}
	app := connect(t, s, nats.UserInfo("app", "app"), errs.option())
	appJS, err := app.JetStream(nats.MaxWait(time.Second))
	must(t, err)
	if _, err := appJS.AddStream(&nats.StreamConfig{Name: "MINE", Subjects: []string{"mine.>"}}); err == nil {
		t.Fatal("a user without $JS.API permissions created a stream")
	}
	errs.waitFor(t, `Permissions Violation for Publish to "$JS.API.STREAM.CREATE.MINE"`)
	// Plain publishes to the stream's subjects are allowed and stored.
	must(t, app.Publish("orders.1", []byte("o1")))
	must(t, app.Flush())
	waitMsgs(t, adminJS, "ORDERS", 1)
	if names := collect(adminJS.StreamNames()); len(names) != 1 || names[0] != "ORDERS" {
		t.Fatalf("streams: %v", names)
	}
}
