// Package spatego drives the server under test with the official Go client (nats.go).
//
// The server binary comes from $SPATE_TEST_SERVER_BIN, else $SPATE_DEFAULT_SERVER_BIN (set by
// ctest to build/bin/spate-server). Each test starts its own server on a random port in a fresh
// temp dir. Run outside ctest with:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off SPATE_TEST_SERVER_BIN=/usr/sbin/nats-server go test .
package spatego

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

var listenLine = regexp.MustCompile(`Listening for client connections on (\S+):(\d+)`)

type testServer struct {
	url  string
	dir  string   // working dir; with -js the store is dir/store unless -sd was given
	args []string // the caller's args, reused by restart
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  strings.Builder

	stopOnce sync.Once
	waitErr  error
	readDone chan struct{} // closed once the whole log has been read
}

func (s *testServer) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func serverBinary(t *testing.T) string {
	for _, env := range []string{"SPATE_TEST_SERVER_BIN", "SPATE_DEFAULT_SERVER_BIN"} {
		if bin := os.Getenv(env); bin != "" {
			return bin
		}
	}
	t.Fatal("set SPATE_TEST_SERVER_BIN to the server binary")
	return ""
}

// startServer runs the server on 127.0.0.1 with a random port and stops it when the test ends.
func startServer(t *testing.T, args ...string) *testServer {
	t.Helper()
	dir := t.TempDir()
	return startServerIn(t, dir, args...)
}

// startServerIn is startServer with a given working dir, so that a restart finds the same data.
// With -js and no -sd, JetStream stores into dir/store (the default, /tmp/nats, is shared).
func startServerIn(t *testing.T, dir string, args ...string) *testServer {
	t.Helper()
	bin := serverBinary(t)
	callerArgs := append([]string(nil), args...)
	hasJS, hasSD := false, false
	for _, a := range args {
		hasJS = hasJS || a == "-js" || a == "--jetstream"
		hasSD = hasSD || a == "-sd" || a == "--store_dir"
	}
	if hasJS && !hasSD {
		args = append(args, "-sd", dir+"/store")
	}
	cmd := exec.Command(bin, append([]string{"-a", "127.0.0.1", "-p", "-1"}, args...)...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	s := &testServer{cmd: cmd, dir: dir, args: callerArgs, readDone: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stderr)
		for scanner.Scan() {
			line := scanner.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			if m := listenLine.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1] + ":" + m[2]:
				default:
				}
			}
		}
		close(addr)
		close(s.readDone)
	}()
	t.Cleanup(func() {
		s.stop()
		// A sanitizer build reports memory errors and leaks in its log: make them fail the test.
		if log := s.Log(); strings.Contains(log, "ERROR: AddressSanitizer") ||
			strings.Contains(log, "ERROR: LeakSanitizer") || strings.Contains(log, "runtime error:") ||
			strings.Contains(log, "WARNING: ThreadSanitizer") {
			t.Errorf("the server reported a sanitizer error:\n%s", log)
		}
	})
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("%s exited before listening:\n%s", bin, s.Log())
		}
		s.url = "nats://" + a
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no listen line within 10s:\n%s", bin, s.Log())
	}
	return s
}

// wait waits for the server to exit, killing it after deadline, and reports whether it exited on
// its own. Only the first wait (or stop/kill) of a server does anything, so test cleanup after an
// explicit stop is harmless.
func (s *testServer) wait(deadline time.Duration) bool {
	exited := false
	s.stopOnce.Do(func() {
		done := make(chan struct{})
		go func() {
			// Read the log to its end before Wait, which closes the pipe.
			<-s.readDone
			s.waitErr = s.cmd.Wait()
			close(done)
		}()
		select {
		case <-done:
			exited = true
		case <-time.After(deadline):
			_ = s.cmd.Process.Kill()
			<-done
		}
	})
	return exited
}

// halt sends sig to the server and waits for it to exit (SIGKILL after 5s).
func (s *testServer) halt(sig syscall.Signal) {
	_ = s.cmd.Process.Signal(sig) // fails harmlessly once the process is gone
	s.wait(5 * time.Second)
}

// stop shuts the server down gracefully (SIGTERM) and waits for it to exit.
func (s *testServer) stop() { s.halt(syscall.SIGTERM) }

// kill stops the server with SIGKILL (no chance to flush anything).
func (s *testServer) kill() { s.halt(syscall.SIGKILL) }

// restart stops the server gracefully and starts the same binary with the same args in the same
// dir (hence the same JetStream store). The port may change: use the returned server's url.
func (s *testServer) restart(t *testing.T) *testServer {
	t.Helper()
	s.stop()
	return startServerIn(t, s.dir, s.args...)
}

func connect(t *testing.T, s *testServer, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(s.url, append([]nats.Option{nats.NoReconnect(), nats.Timeout(5 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatalf("connect %s: %v\n%s", s.url, err, s.Log())
	}
	t.Cleanup(nc.Close)
	return nc
}

// waitFor polls cond until it holds or the deadline passes; it never sleeps a fixed time to wait.
func waitFor(t *testing.T, deadline time.Duration, cond func() bool, what string, args ...any) {
	t.Helper()
	until := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(until) {
			t.Fatalf("timed out after %v waiting for: %s", deadline, fmt.Sprintf(what, args...))
		}
		time.Sleep(time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
