package spatego

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// reload rewrites the server's config file with conf, sends SIGHUP and waits for the log line
// that says how it went (want: a substring of it).
func (s *testServer) reload(t *testing.T, conf string, want string) {
	t.Helper()
	before := strings.Count(s.Log(), want)
	must(t, os.WriteFile(filepath.Join(s.dir, "server.conf"), []byte(conf), 0o644))
	must(t, s.cmd.Process.Signal(syscall.SIGHUP))
	waitFor(t, 5*time.Second, func() bool { return strings.Count(s.Log(), want) > before },
		"the log line %q after SIGHUP", want)
}

const reloadUsersBefore = `
authorization {
  users = [
    {user: alice, password: pa, permissions: {publish: {allow: ["foo.>"]}, subscribe: {allow: ["foo.>", "_INBOX.>"]}}}
    {user: bob, password: pb}
    {user: dave, password: pd}
  ]
}
`

const reloadUsersAfter = `
authorization {
  users = [
    {user: alice, password: pa, permissions: {publish: {allow: ["foo.>", "bar.>"]}, subscribe: {allow: ["bar.>", "_INBOX.>"]}}}
    {user: carol, password: pc}
    {user: dave, password: changed}
  ]
}
`

// SIGHUP applies new users and permissions to a running server: removed users are
// disconnected, a changed password fails its connection with an authorization error, new
// permissions apply to a connection at once (a subscription they deny is dropped with -ERR)
// and new users can log in.
func TestReloadUsersAndPermissions(t *testing.T) {
	s := startWithConfig(t, reloadUsersBefore)
	var aliceErrs, daveErrs asyncErrors
	alice := connect(t, s, nats.UserInfo("alice", "pa"), aliceErrs.option())
	bob := connect(t, s, nats.UserInfo("bob", "pb"))
	dave := connect(t, s, nats.UserInfo("dave", "pd"), daveErrs.option())
	if _, err := nats.Connect(s.url, nats.UserInfo("carol", "pc"), nats.NoReconnect()); err == nil {
		t.Fatal("carol logged in before she was configured")
	}
	fooSub, err := alice.SubscribeSync("foo.x")
	must(t, err)
	must(t, alice.Publish("bar.1", []byte("denied")))
	aliceErrs.waitFor(t, `Permissions Violation for Publish to "bar.1"`)

	s.reload(t, reloadUsersAfter, "Reloaded server configuration")
	if !strings.Contains(s.Log(), "Reloaded: authorization users") {
		t.Errorf("no 'Reloaded: authorization users' line:\n%s", s.Log())
	}
	waitFor(t, 5*time.Second, bob.IsClosed, "bob (removed) to be disconnected")
	waitFor(t, 5*time.Second, dave.IsClosed, "dave (password changed) to be disconnected")
	daveErrs.waitFor(t, "Authorization Violation")
	aliceErrs.waitFor(t, `Permissions Violation for Subscription to "foo.x"`)
	if alice.IsClosed() {
		t.Fatal("alice was disconnected; her user still exists")
	}

	carol := connect(t, s, nats.UserInfo("carol", "pc"))
	barSub, err := carol.SubscribeSync("bar.>")
	must(t, err)
	must(t, carol.Flush())
	must(t, alice.Publish("bar.2", []byte("allowed now")))
	expectMsg(t, barSub, "allowed now")
	must(t, carol.Publish("foo.x", []byte("not for alice any more")))
	must(t, carol.Flush())
	expectNoMsg(t, fooSub, 200*time.Millisecond)
	if _, err := nats.Connect(s.url, nats.UserInfo("bob", "pb"), nats.NoReconnect()); err == nil {
		t.Fatal("bob could still log in after the reload removed him")
	}
}

// Limits and logging reload; an option that cannot change refuses the whole reload, and the
// server keeps its configuration and keeps serving.
func TestReloadLimitsAndRefusals(t *testing.T) {
	s := startWithConfig(t, "server_name: one\nmax_payload: 1024\n")
	nc := connect(t, s)
	if got := nc.MaxPayload(); got != 1024 {
		t.Fatalf("max payload %d, want 1024", got)
	}

	s.reload(t, "server_name: one\nmax_payload: 2048\ndebug: true\n", "Reloaded server configuration")
	for _, line := range []string{"Reloaded: max_payload = 2048", "Reloaded: debug = true"} {
		if !strings.Contains(s.Log(), line) {
			t.Errorf("no %q line:\n%s", line, s.Log())
		}
	}
	if got := connect(t, s).MaxPayload(); got != 2048 {
		t.Fatalf("max payload %d after the reload, want 2048", got)
	}

	s.reload(t, "server_name: two\nmax_payload: 4096\n",
		"Failed to reload server configuration: config reload not supported for ServerName: old=one, new=two")
	if got := connect(t, s).MaxPayload(); got != 2048 {
		t.Fatalf("max payload %d after a refused reload, want 2048 (nothing applied)", got)
	}

	s.reload(t, "server_name: one\nmax_payload: {{{\n", "Failed to reload server configuration")
	must(t, nc.Publish("still.serving", []byte("x")))
	must(t, nc.Flush())
}

// Without a config file there is nothing to reload.
func TestReloadNeedsAConfigFile(t *testing.T) {
	s := startServer(t)
	must(t, s.cmd.Process.Signal(syscall.SIGHUP))
	want := "can only reload config when a file is provided using -c or --config"
	waitFor(t, 5*time.Second, func() bool { return strings.Contains(s.Log(), want) },
		"the log line %q", want)
	nc := connect(t, s)
	must(t, nc.Flush())
}

const reloadAccountsBefore = `
accounts {
  A { users = [ {user: keeper, password: "$2a$10$EE1wW1553JL4/GMu5tKrTe6KtbfN4bhkwFf3cKT6e9cCQibOeaP1a"}, {user: mover, password: pm} ] }
  B { users = [ ] }
}
`

const reloadAccountsAfter = `
accounts {
  A { users = [ {user: keeper, password: "$2a$10$EE1wW1553JL4/GMu5tKrTe6KtbfN4bhkwFf3cKT6e9cCQibOeaP1a"} ] }
  B { users = [ {user: mover, password: pm} ] }
}
`

// A user moved to another account is disconnected (it reconnects into the new one); a bcrypt
// user whose entry did not change is checked again (off the event loops) and stays.
func TestReloadMovesUserToAnotherAccount(t *testing.T) {
	s := startWithConfig(t, reloadAccountsBefore)
	keeper := connect(t, s, nats.UserInfo("keeper", "secret"))
	mover := connect(t, s, nats.UserInfo("mover", "pm"))
	sub, err := keeper.SubscribeSync("in.a")
	must(t, err)
	must(t, keeper.Flush())

	s.reload(t, reloadAccountsAfter, "Reloaded server configuration")
	waitFor(t, 5*time.Second, mover.IsClosed, "mover to be disconnected")
	// The bcrypt check takes a moment; the connection must still work after it.
	time.Sleep(500 * time.Millisecond)
	if keeper.IsClosed() {
		t.Fatal("keeper was disconnected; nothing about it changed")
	}
	moved := connect(t, s, nats.UserInfo("mover", "pm"))
	must(t, moved.Publish("in.a", []byte("from B")))
	must(t, moved.Flush())
	expectNoMsg(t, sub, 200*time.Millisecond)
	must(t, keeper.Publish("in.a", []byte("from A")))
	expectMsg(t, sub, "from A")
}

// A reload that sets log_file moves the log there: the reload's own lines land in the file.
func TestReloadMovesTheLogToAFile(t *testing.T) {
	s := startWithConfig(t, "max_payload: 1024\n")
	logFile := filepath.Join(s.dir, "server.log")
	must(t, os.WriteFile(filepath.Join(s.dir, "server.conf"),
		[]byte("max_payload: 1024\nlog_file: \""+logFile+"\"\n"), 0o644))
	must(t, s.cmd.Process.Signal(syscall.SIGHUP))
	waitFor(t, 5*time.Second, func() bool {
		b, _ := os.ReadFile(logFile)
		return strings.Contains(string(b), "Reloaded server configuration")
	}, "the reload's log lines in %s", logFile)
	nc := connect(t, s)
	must(t, nc.Flush())
}

// The tls block reloads while TLS stays on: new connections get the new certificate (also one
// rotated under the same file names), open connections keep working.
func TestReloadRotatesTheTLSCertificate(t *testing.T) {
	first, second := makeTLSFiles(t), makeTLSFiles(t)
	s := startWithConfig(t, first.conf(""))
	trusting := func(f *tlsFiles) nats.Option { return nats.RootCAs(f.ca) }
	old := connect(t, s, trusting(first))

	s.reload(t, second.conf(""), "Reloaded server configuration")
	if !strings.Contains(s.Log(), "Reloaded: tls = enabled") {
		t.Errorf("no 'Reloaded: tls = enabled' line:\n%s", s.Log())
	}
	connect(t, s, trusting(second)).Close()
	if c, err := nats.Connect(s.url, trusting(first), nats.NoReconnect()); err == nil {
		c.Close()
		t.Fatal("a client trusting only the old CA connected after the reload")
	}
	must(t, old.Publish("still.open", []byte("x")))
	must(t, old.Flush())

	// Rotation in place: the first certificate copied over the second's files, config unchanged.
	for src, dst := range map[string]string{first.serverCert: second.serverCert, first.serverKey: second.serverKey} {
		b, err := os.ReadFile(src)
		must(t, err)
		must(t, os.WriteFile(dst, b, 0o600))
	}
	s.reload(t, second.conf(""), "Reloaded server configuration")
	connect(t, s, trusting(first)).Close()
}
