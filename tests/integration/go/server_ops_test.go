package spatego

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// waitExit waits for the server to exit on its own (it is killed after the deadline) and
// returns its exit code, or -1 when it had to be killed or died of a signal.
func (s *testServer) waitExit(t *testing.T, deadline time.Duration) int {
	t.Helper()
	if !s.wait(deadline) {
		t.Fatalf("the server did not exit within %v:\n%s", deadline, s.Log())
	}
	return s.cmd.ProcessState.ExitCode()
}

// Lame duck mode as a nats.go application sees it: the handler fires, the connection keeps
// working through the grace period, then the server closes it and the client moves on to the
// next server in its list (two independent servers, no cluster). The lame duck server accepts
// no new connections and exits 0 once its clients are gone.
func TestLameDuckModeMovesClientsToTheNextServer(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "ldm.conf")
	// nats-server's minimum duration is 30s; with two clients the closes are at most 1s apart,
	// so the whole thing takes about grace + 1s.
	must(t, os.WriteFile(conf, []byte("lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"\n"), 0o644))
	a := startServer(t, "-c", conf)
	b := startServer(t)

	lameDuck := make(chan struct{}, 1)
	reconnected := make(chan struct{}, 1)
	mover, err := nats.Connect(a.url+","+b.url,
		nats.DontRandomize(), nats.ReconnectWait(50*time.Millisecond), nats.MaxReconnects(-1),
		nats.LameDuckModeHandler(func(*nats.Conn) { lameDuck <- struct{}{} }),
		nats.ReconnectHandler(func(*nats.Conn) { reconnected <- struct{}{} }))
	must(t, err)
	t.Cleanup(mover.Close)
	if mover.ConnectedUrl() != a.url {
		t.Fatalf("connected to %s, want %s", mover.ConnectedUrl(), a.url)
	}
	sub, err := mover.SubscribeSync("ldm.orders")
	must(t, err)
	must(t, mover.Flush())
	publisher := connect(t, a) // no reconnect: it ends with server a

	must(t, a.cmd.Process.Signal(syscall.SIGUSR2))
	select {
	case <-lameDuck:
	case <-time.After(5 * time.Second):
		t.Fatalf("LameDuckModeHandler did not fire:\n%s", a.Log())
	}

	// Grace period: existing connections still publish and receive; new ones are refused.
	must(t, publisher.Publish("ldm.orders", []byte("during grace")))
	must(t, publisher.Flush())
	msg, err := sub.NextMsg(2 * time.Second)
	must(t, err)
	if string(msg.Data) != "during grace" {
		t.Fatalf("got %q", msg.Data)
	}
	if nc, err := nats.Connect(a.url, nats.NoReconnect(), nats.Timeout(time.Second)); err == nil {
		nc.Close()
		t.Fatal("a server in lame duck mode accepted a new connection")
	}

	select {
	case <-reconnected:
	case <-time.After(10 * time.Second):
		t.Fatalf("the client did not reconnect:\nserver a:\n%s", a.Log())
	}
	if mover.ConnectedUrl() != b.url {
		t.Fatalf("reconnected to %s, want %s", mover.ConnectedUrl(), b.url)
	}
	// The subscription moved with the client.
	other := connect(t, b)
	must(t, other.Publish("ldm.orders", []byte("after the move")))
	must(t, other.Flush())
	msg, err = sub.NextMsg(2 * time.Second)
	must(t, err)
	if string(msg.Data) != "after the move" {
		t.Fatalf("got %q", msg.Data)
	}

	if code := a.waitExit(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, a.Log())
	}
	log := a.Log()
	for _, line := range []string{"Entering lame duck mode, stop accepting new clients", "Closing existing clients"} {
		if !strings.Contains(log, line) {
			t.Errorf("log lacks %q:\n%s", line, log)
		}
	}
}

// `--signal ldm=<pid file>` puts the server in lame duck mode, as SIGUSR2 does.
func TestSignalLdmByPidFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "ldm.conf")
	pidFile := filepath.Join(dir, "server.pid")
	must(t, os.WriteFile(conf, []byte("lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"500ms\"\n"), 0o644))
	s := startServer(t, "-c", conf, "-P", pidFile)
	lameDuck := make(chan struct{}, 1)
	closed := make(chan struct{}, 1)
	nc := connect(t, s,
		nats.LameDuckModeHandler(func(*nats.Conn) { lameDuck <- struct{}{} }),
		nats.ClosedHandler(func(*nats.Conn) { closed <- struct{}{} }))
	must(t, nc.Flush())

	out, err := exec.Command(serverBinary(t), "--signal", "ldm="+pidFile).CombinedOutput()
	if err != nil {
		t.Fatalf("--signal ldm: %v: %s", err, out)
	}
	for _, ch := range []chan struct{}{lameDuck, closed} {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("no lame duck notice or close:\n%s", s.Log())
		}
	}
	if code := s.waitExit(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, s.Log())
	}
}

// Lame duck mode ends with the normal shutdown, so acknowledged JetStream messages are on disk
// when the server exits and are there after a restart.
func TestLameDuckModeKeepsJetStreamData(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "ldm.conf")
	must(t, os.WriteFile(conf, []byte("lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"500ms\"\n"), 0o644))
	s := startServerIn(t, dir, "-js", "-c", conf)
	nc := connect(t, s)
	js, err := nc.JetStream()
	must(t, err)
	_, err = js.AddStream(&nats.StreamConfig{Name: "LDM", Subjects: []string{"ldm.>"}})
	must(t, err)
	for i := 0; i < 10; i++ {
		_, err := js.Publish("ldm.x", []byte("kept"))
		must(t, err)
	}
	must(t, s.cmd.Process.Signal(syscall.SIGUSR2))
	if code := s.waitExit(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, s.Log())
	}

	s = startServerIn(t, dir, "-js", "-c", conf)
	js, err = connect(t, s).JetStream()
	must(t, err)
	info, err := js.StreamInfo("LDM")
	must(t, err)
	if info.State.Msgs != 10 {
		t.Fatalf("after lame duck mode and restart: %d messages, want 10", info.State.Msgs)
	}
}

// ports_file_dir: once the server listens, <dir>/<executable>_<pid>.ports lists its client and
// monitoring URLs (what tools read after starting it on random ports); it goes at shutdown.
func TestPortsFile(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--ports_file_dir", dir, "-m", "-1")
	var files []string
	waitFor(t, 5*time.Second, func() bool {
		files, _ = filepath.Glob(filepath.Join(dir, "*.ports"))
		return len(files) == 1
	}, "one ports file in %s", dir)
	want := fmt.Sprintf("_%d.ports", s.cmd.Process.Pid)
	if !strings.HasSuffix(files[0], want) {
		t.Fatalf("ports file %s, want <executable>%s", files[0], want)
	}
	var ports struct {
		Nats       []string `json:"nats"`
		Monitoring []string `json:"monitoring"`
	}
	waitFor(t, 5*time.Second, func() bool {
		b, err := os.ReadFile(files[0])
		return err == nil && json.Unmarshal(b, &ports) == nil && len(ports.Nats) > 0
	}, "the ports file's JSON")
	if len(ports.Nats) != 1 || ports.Nats[0] != s.url {
		t.Errorf("nats %v, want [%s]", ports.Nats, s.url)
	}
	if len(ports.Monitoring) != 1 || !strings.HasPrefix(ports.Monitoring[0], "http://127.0.0.1:") {
		t.Errorf("monitoring %v", ports.Monitoring)
	}
	s.stop()
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Errorf("the ports file is still there after shutdown (%v)", err)
	}
}
