package spatego

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// The system account: its users see the server's events and may ask it for its monitoring
// data over $SYS.REQ.SERVER.*; other accounts never see any of it.

const sysConf = `
accounts {
  SYS { users = [ {user: sys, password: psys} ] }
  APP { users = [ {user: app, password: papp} ] }
}
system_account: SYS
`

func sysConnect(t *testing.T, s *testServer, user, pass, name string) *nats.Conn {
	t.Helper()
	return connect(t, s, nats.UserInfo(user, pass), nats.Name(name))
}

// sysRequest sends a request in the system account and decodes the JSON reply.
func sysRequest(t *testing.T, nc *nats.Conn, subject, body string) map[string]any {
	t.Helper()
	m, err := nc.Request(subject, []byte(body), 3*time.Second)
	if err != nil {
		t.Fatalf("request %s: %v", subject, err)
	}
	var out map[string]any
	if err := json.Unmarshal(m.Data, &out); err != nil {
		t.Fatalf("reply to %s is not JSON: %v\n%s", subject, err, m.Data)
	}
	return out
}

func obj(t *testing.T, v any, path string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: want an object, got %T %v", path, v, v)
	}
	return m
}

func num(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	f, ok := m[key].(float64)
	if !ok {
		t.Fatalf("%q: want a number, got %T %v in %v", key, m[key], m[key], m)
	}
	return f
}

func str(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	s, ok := m[key].(string)
	if !ok {
		t.Fatalf("%q: want a string, got %T %v in %v", key, m[key], m[key], m)
	}
	return s
}

func isTime(t *testing.T, m map[string]any, key string) {
	t.Helper()
	if _, err := time.Parse(time.RFC3339Nano, str(t, m, key)); err != nil {
		t.Fatalf("%q: %v", key, err)
	}
}

// checkServerInfo checks an event's or reply's "server" object (nats-server's ServerInfo).
func checkServerInfo(t *testing.T, v any, id string) {
	t.Helper()
	si := obj(t, v, "server")
	if got := str(t, si, "id"); got != id {
		t.Fatalf("server.id = %q, want %q", got, id)
	}
	for _, k := range []string{"name", "host", "ver"} {
		str(t, si, k)
	}
	if num(t, si, "seq") < 1 {
		t.Fatalf("server.seq = %v", si["seq"])
	}
	if _, ok := si["jetstream"].(bool); !ok {
		t.Fatalf("server.jetstream missing: %v", si)
	}
	isTime(t, si, "time")
}

// nextEventFor returns the next event on sub about the client named name (others, such as the
// system user's own connection, are skipped).
func nextEventFor(t *testing.T, sub *nats.Subscription, name string) (*nats.Msg, map[string]any) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		m, err := sub.NextMsg(time.Until(deadline))
		if err != nil {
			t.Fatalf("no event for %q on %s: %v", name, sub.Subject, err)
		}
		var ev map[string]any
		must(t, json.Unmarshal(m.Data, &ev))
		if c, ok := ev["client"].(map[string]any); ok && c["name"] == name {
			return m, ev
		}
	}
}

func checkClientInfo(t *testing.T, v any) map[string]any {
	t.Helper()
	c := obj(t, v, "client")
	for k, want := range map[string]string{"acc": "APP", "user": "app", "name": "app-client",
		"lang": "go", "kind": "Client", "client_type": "nats", "host": "127.0.0.1"} {
		if got := str(t, c, k); got != want {
			t.Errorf("client.%s = %q, want %q", k, got, want)
		}
	}
	str(t, c, "ver")
	isTime(t, c, "start")
	if num(t, c, "id") < 1 {
		t.Errorf("client.id = %v", c["id"])
	}
	return c
}

// A system account user hears about the connections of other accounts: CONNECT when one is
// authenticated, DISCONNECT with its traffic and the reason when it closes.
func TestSysConnectDisconnectEvents(t *testing.T) {
	s := startWithConfig(t, sysConf)
	sys := sysConnect(t, s, "sys", "psys", "sys-client")
	connects, err := sys.SubscribeSync("$SYS.ACCOUNT.*.CONNECT")
	must(t, err)
	disconnects, err := sys.SubscribeSync("$SYS.ACCOUNT.*.DISCONNECT")
	must(t, err)
	conns, err := sys.SubscribeSync("$SYS.ACCOUNT.APP.SERVER.CONNS")
	must(t, err)
	must(t, sys.Flush())
	id := sys.ConnectedServerId()

	app := sysConnect(t, s, "app", "papp", "app-client")
	waitAccountConns(t, conns, id, "APP", 1)
	m, ev := nextEventFor(t, connects, "app-client")
	if m.Subject != "$SYS.ACCOUNT.APP.CONNECT" {
		t.Fatalf("subject %q", m.Subject)
	}
	if got := str(t, ev, "type"); got != "io.nats.server.advisory.v1.client_connect" {
		t.Fatalf("type %q", got)
	}
	if str(t, ev, "id") == "" {
		t.Fatal("empty event id")
	}
	isTime(t, ev, "timestamp")
	checkServerInfo(t, ev["server"], id)
	c := checkClientInfo(t, ev["client"])
	if _, ok := c["stop"]; ok {
		t.Errorf("a connect event has client.stop: %v", c)
	}

	must(t, app.Publish("app.subject", []byte("hello")))
	must(t, app.Flush())
	app.Close()
	m, ev = nextEventFor(t, disconnects, "app-client")
	if m.Subject != "$SYS.ACCOUNT.APP.DISCONNECT" {
		t.Fatalf("subject %q", m.Subject)
	}
	if got := str(t, ev, "type"); got != "io.nats.server.advisory.v1.client_disconnect" {
		t.Fatalf("type %q", got)
	}
	checkServerInfo(t, ev["server"], id)
	c = checkClientInfo(t, ev["client"])
	isTime(t, c, "stop")
	if got := str(t, ev, "reason"); got != "Client Closed" {
		t.Errorf("reason %q", got)
	}
	sent := obj(t, ev["sent"], "sent")
	if num(t, sent, "msgs") != 1 || num(t, sent, "bytes") != 5 {
		t.Errorf("sent = %v, want 1 message of 5 bytes", sent)
	}
	received := obj(t, ev["received"], "received")
	num(t, received, "msgs")
	num(t, received, "bytes")
	waitAccountConns(t, conns, id, "APP", 0)
}

// waitAccountConns waits for an account_connections event saying `acc` has `want` connections.
func waitAccountConns(t *testing.T, sub *nats.Subscription, id, acc string, want float64) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		m, err := sub.NextMsg(time.Until(deadline))
		if err != nil {
			t.Fatalf("no %s.SERVER.CONNS event with %v connections: %v", acc, want, err)
		}
		var ev map[string]any
		must(t, json.Unmarshal(m.Data, &ev))
		if got := str(t, ev, "type"); got != "io.nats.server.advisory.v1.account_connections" {
			t.Fatalf("type %q", got)
		}
		checkServerInfo(t, ev["server"], id)
		if str(t, ev, "acc") != acc {
			t.Fatalf("acc %v", ev["acc"])
		}
		for _, k := range []string{"leafnodes", "total_conns", "slow_consumers"} {
			num(t, ev, k)
		}
		if num(t, ev, "conns") == want {
			return
		}
	}
}

// checkStatsz checks a ServerStatsMsg: this server, with at least `conns` connections.
func checkStatsz(t *testing.T, reply map[string]any, id string, conns float64) {
	t.Helper()
	checkServerInfo(t, reply["server"], id)
	st := obj(t, reply["statsz"], "statsz")
	isTime(t, st, "start")
	if num(t, st, "connections") < conns || num(t, st, "total_connections") < conns {
		t.Errorf("connections %v / total %v, want >= %v", st["connections"], st["total_connections"], conns)
	}
	for _, k := range []string{"mem", "cores", "subscriptions", "active_accounts"} {
		if num(t, st, k) < 1 {
			t.Errorf("statsz.%s = %v", k, st[k])
		}
	}
	num(t, st, "cpu")
	num(t, st, "slow_consumers")
	for _, k := range []string{"sent", "received"} {
		d := obj(t, st[k], k)
		num(t, d, "msgs")
		num(t, d, "bytes")
	}
}

// $SYS.REQ.SERVER.PING (and PING.STATSZ) answer with the STATSZ message; the server also
// broadcasts it on $SYS.SERVER.<id>.STATSZ (the first within a second of the start).
func TestSysPingStatsz(t *testing.T) {
	s := startWithConfig(t, sysConf)
	sys := sysConnect(t, s, "sys", "psys", "sys-client")
	heartbeat, err := sys.SubscribeSync("$SYS.SERVER.*.STATSZ")
	must(t, err)
	sysConnect(t, s, "app", "papp", "app-client")
	id := sys.ConnectedServerId()
	checkStatsz(t, sysRequest(t, sys, "$SYS.REQ.SERVER.PING", ""), id, 2)
	checkStatsz(t, sysRequest(t, sys, "$SYS.REQ.SERVER.PING.STATSZ", "{}"), id, 2)
	checkStatsz(t, sysRequest(t, sys, "$SYS.REQ.SERVER."+id+".STATSZ", ""), id, 2)
	// A filter on another server's name: nobody answers.
	if _, err := sys.Request("$SYS.REQ.SERVER.PING", []byte(`{"server_name":"not-this-one"}`), 300*time.Millisecond); err == nil {
		t.Error("a server answered a PING filtered on another name")
	}
	m, err := heartbeat.NextMsg(35 * time.Second)
	must(t, err)
	if m.Subject != "$SYS.SERVER."+id+".STATSZ" {
		t.Fatalf("heartbeat on %q", m.Subject)
	}
	var hb map[string]any
	must(t, json.Unmarshal(m.Data, &hb))
	checkStatsz(t, hb, id, 1)
}

// The monitoring endpoints over $SYS.REQ.SERVER.PING.<NAME> and $SYS.REQ.SERVER.<id>.<NAME>:
// {"server": ServerInfo, "data": the endpoint's JSON}, options in the request body.
func TestSysPingEndpoints(t *testing.T) {
	s := startWithConfig(t, sysConf)
	sys := sysConnect(t, s, "sys", "psys", "sys-client")
	app := sysConnect(t, s, "app", "papp", "app-client")
	_, err := app.SubscribeSync("orders.*")
	must(t, err)
	must(t, app.Flush())
	id := sys.ConnectedServerId()

	data := func(subject, body string) map[string]any {
		t.Helper()
		reply := sysRequest(t, sys, subject, body)
		checkServerInfo(t, reply["server"], id)
		if e, ok := reply["error"]; ok {
			t.Fatalf("%s: error %v", subject, e)
		}
		return obj(t, reply["data"], subject+" data")
	}

	for _, subject := range []string{"$SYS.REQ.SERVER.PING.VARZ", "$SYS.REQ.SERVER." + id + ".VARZ"} {
		v := data(subject, "")
		if str(t, v, "server_id") != id || num(t, v, "connections") != 2 {
			t.Errorf("%s: server_id %v connections %v", subject, v["server_id"], v["connections"])
		}
		if got := str(t, v, "system_account"); got != "SYS" {
			t.Errorf("varz system_account %q", got)
		}
	}

	connz := data("$SYS.REQ.SERVER.PING.CONNZ", `{"subscriptions":true,"auth":true}`)
	if num(t, connz, "num_connections") != 2 {
		t.Errorf("connz num_connections %v", connz["num_connections"])
	}
	var found bool
	for _, c := range connz["connections"].([]any) {
		conn := obj(t, c, "connection")
		if conn["name"] != "app-client" {
			continue
		}
		found = true
		subs, _ := conn["subscriptions_list"].([]any)
		if len(subs) != 1 || subs[0] != "orders.*" {
			t.Errorf("app subscriptions_list %v", conn["subscriptions_list"])
		}
		if conn["account"] != "APP" || conn["authorized_user"] != "app" {
			t.Errorf("app account %v user %v", conn["account"], conn["authorized_user"])
		}
	}
	if !found {
		t.Errorf("app-client not in connz: %v", connz)
	}
	// The account filter: only APP's connection.
	if c := data("$SYS.REQ.SERVER.PING.CONNZ", `{"acc":"APP"}`); num(t, c, "num_connections") != 1 {
		t.Errorf("connz acc=APP: %v", c["num_connections"])
	}

	if h := data("$SYS.REQ.SERVER.PING.HEALTHZ", ""); str(t, h, "status") != "ok" {
		t.Errorf("healthz %v", h)
	}
	jsz := data("$SYS.REQ.SERVER.PING.JSZ", `{"accounts":true}`)
	if str(t, jsz, "server_id") != id {
		t.Errorf("jsz %v", jsz)
	}
	subsz := data("$SYS.REQ.SERVER.PING.SUBSZ", `{"subscriptions":true,"test":"orders.new"}`)
	if num(t, subsz, "num_subscriptions") < 1 {
		t.Errorf("subsz %v", subsz)
	}
	accountz := data("$SYS.REQ.SERVER.PING.ACCOUNTZ", "")
	if got := str(t, accountz, "system_account"); got != "SYS" {
		t.Errorf("accountz system_account %q", got)
	}
	names := map[string]bool{}
	for _, a := range accountz["accounts"].([]any) {
		names[a.(string)] = true
	}
	if !names["SYS"] || !names["APP"] || names["$SYS"] {
		t.Errorf("accountz accounts %v", accountz["accounts"])
	}
	detail := data("$SYS.REQ.SERVER.PING.ACCOUNTZ", `{"account":"SYS"}`)
	if d := obj(t, detail["account_detail"], "account_detail"); d["is_system"] != true {
		t.Errorf("SYS account_detail %v", d)
	}

	// Options that do not decode: a 400 error, with the server, and no data.
	for _, body := range []string{`{"subscriptions":"yes"}`, `not json`} {
		reply := sysRequest(t, sys, "$SYS.REQ.SERVER.PING.CONNZ", body)
		checkServerInfo(t, reply["server"], id)
		e := obj(t, reply["error"], "error")
		if num(t, e, "code") != 400 || str(t, e, "description") == "" {
			t.Errorf("body %s: error %v", body, e)
		}
		if _, ok := reply["data"]; ok {
			t.Errorf("body %s: data in an error reply", body)
		}
	}
}

// Other accounts never see the system account's traffic, even subscribed to everything.
func TestSysIsolation(t *testing.T) {
	s := startWithConfig(t, sysConf)
	sys := sysConnect(t, s, "sys", "psys", "sys-client")
	app := sysConnect(t, s, "app", "papp", "app-client")
	everything, err := app.SubscribeSync(">")
	must(t, err)
	sysSubjects, err := app.SubscribeSync("$SYS.>")
	must(t, err)
	must(t, app.Flush())
	// Events and requests in the system account...
	sysConnect(t, s, "app", "papp", "another-app-client").Close()
	sysRequest(t, sys, "$SYS.REQ.SERVER.PING", "")
	sysRequest(t, sys, "$SYS.REQ.SERVER.PING.VARZ", "")
	// ...reach the system user (this PING's answer comes after the events above)...
	events, err := sys.SubscribeSync("$SYS.>")
	must(t, err)
	must(t, sys.Flush())
	sysConnect(t, s, "app", "papp", "third-app-client").Close()
	nextEventFor(t, events, "third-app-client")
	// ...and never the APP subscribers.
	expectNoMsg(t, everything, 200*time.Millisecond)
	expectNoMsg(t, sysSubjects, 10*time.Millisecond)
	// Nor does APP reach the system account's services (once nothing in APP matches).
	must(t, everything.Unsubscribe())
	must(t, sysSubjects.Unsubscribe())
	if _, err := app.Request("$SYS.REQ.SERVER.PING", nil, time.Second); !errors.Is(err, nats.ErrNoResponders) {
		t.Errorf("APP PING: %v, want no responders", err)
	}
}

// With no configuration at all the server still has a system account, $SYS (no users), and
// runs as usual: a $G client subscribed to everything sees nothing of it.
func TestSysDefaultServer(t *testing.T) {
	s := startServer(t, "-m", "-1")
	nc := connect(t, s)
	all, err := nc.SubscribeSync(">")
	must(t, err)
	must(t, nc.Flush())
	other := connect(t, s)
	must(t, other.Publish("hello", []byte("world")))
	must(t, other.Flush())
	expectMsg(t, all, "world")
	other.Close()
	expectNoMsg(t, all, 300*time.Millisecond)
	must(t, all.Unsubscribe())
	if _, err := nc.Request("$SYS.REQ.SERVER.PING", nil, time.Second); !errors.Is(err, nats.ErrNoResponders) {
		t.Errorf("$G PING: %v, want no responders", err)
	}
	port := monitorPort(t, s)
	accountz := httpJSON(t, port, "/accountz")
	if got := accountz["system_account"]; got != "$SYS" {
		t.Errorf("accountz system_account %v", got)
	}
	names := map[string]bool{}
	for _, a := range accountz["accounts"].([]any) {
		names[a.(string)] = true
	}
	if len(names) != 2 || !names["$G"] || !names["$SYS"] {
		t.Errorf("accountz accounts %v, want $G and $SYS", accountz["accounts"])
	}
	if got := httpJSON(t, port, "/varz")["system_account"]; got != "$SYS" {
		t.Errorf("varz system_account %v", got)
	}
}

var monitorLine = regexp.MustCompile(`Starting http monitor on \S+:(\d+)`)

// monitorPort is the HTTP monitor's port, from the server's log (it is logged before the
// listen line that startServer waits for).
func monitorPort(t *testing.T, s *testServer) string {
	t.Helper()
	m := monitorLine.FindStringSubmatch(s.Log())
	if m == nil {
		t.Fatalf("no monitor port in the log:\n%s", s.Log())
	}
	return m[1]
}

func httpJSON(t *testing.T, port, path string) map[string]any {
	t.Helper()
	resp, err := http.Get("http://127.0.0.1:" + port + path)
	must(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, err)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, body)
	}
	return out
}

// What nats-server imports into every account from the system account: an account's users ask
// for their own account's connections and numbers; the system user asks about any account.
func TestSysAccountRequests(t *testing.T) {
	s := startWithConfig(t, sysConf)
	sys := sysConnect(t, s, "sys", "psys", "sys-client")
	app := sysConnect(t, s, "app", "papp", "app-client")
	id := sys.ConnectedServerId()

	onlyApp := func(who *nats.Conn, subject string) {
		t.Helper()
		reply := sysRequest(t, who, subject, "")
		checkServerInfo(t, reply["server"], id)
		connz := obj(t, reply["data"], subject+" data")
		conns, _ := connz["connections"].([]any)
		if len(conns) != 1 || obj(t, conns[0], "connection")["name"] != "app-client" {
			t.Errorf("%s: connections %v, want app-client only", subject, connz["connections"])
		}
	}
	onlyApp(app, "$SYS.REQ.SERVER.PING.CONNZ")
	onlyApp(app, "$SYS.REQ.ACCOUNT.PING.CONNZ")
	onlyApp(sys, "$SYS.REQ.ACCOUNT.APP.CONNZ")

	for _, who := range []struct {
		nc      *nats.Conn
		subject string
	}{{app, "$SYS.REQ.ACCOUNT.PING.STATZ"}, {sys, "$SYS.REQ.ACCOUNT.APP.STATZ"}} {
		reply := sysRequest(t, who.nc, who.subject, "")
		checkServerInfo(t, reply["server"], id)
		data := obj(t, reply["data"], who.subject+" data")
		if str(t, data, "server_id") != id {
			t.Errorf("%s: server_id %v", who.subject, data["server_id"])
		}
		list, _ := data["account_statz"].([]any)
		if len(list) != 1 {
			t.Fatalf("%s: account_statz %v", who.subject, data["account_statz"])
		}
		st := obj(t, list[0], "account_statz[0]")
		if str(t, st, "acc") != "APP" || num(t, st, "conns") != 1 || num(t, st, "total_conns") != 1 {
			t.Errorf("%s: %v", who.subject, st)
		}
		for _, k := range []string{"sent", "received"} {
			d := obj(t, st[k], k)
			num(t, d, "msgs")
			num(t, d, "bytes")
		}
	}
}

// A system_account that names no account stops the server at startup.
func TestSysUnknownSystemAccountIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server.conf")
	must(t, os.WriteFile(path, []byte("accounts { A { users = [ {user: a, password: pa} ] } }\nsystem_account: NOPE\n"), 0o644))
	out, err := exec.Command(serverBinary(t), "-c", path, "-a", "127.0.0.1", "-p", "-1").CombinedOutput()
	if err == nil {
		t.Fatalf("the server started with an unknown system account:\n%s", out)
	}
	if !strings.Contains(string(out), "error resolving system account: account missing") {
		t.Fatalf("no clear error for the unknown system account:\n%s", out)
	}
}

// A configured account named $SYS is the system account when system_account is not set.
func TestSysConfiguredDollarSysAccount(t *testing.T) {
	s := startWithConfig(t, `
accounts {
  $SYS { users = [ {user: sys, password: psys} ] }
  APP { users = [ {user: app, password: papp} ] }
}
`)
	sys := sysConnect(t, s, "sys", "psys", "sys-client")
	connects, err := sys.SubscribeSync("$SYS.ACCOUNT.APP.CONNECT")
	must(t, err)
	must(t, sys.Flush())
	sysConnect(t, s, "app", "papp", "app-client")
	nextEventFor(t, connects, "app-client")
	checkStatsz(t, sysRequest(t, sys, "$SYS.REQ.SERVER.PING", ""), sys.ConnectedServerId(), 2)
}
