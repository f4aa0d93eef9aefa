package spatego

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// startJS starts a server with JetStream (store in the test's temp dir) and returns it with a
// connection and a JetStream context whose API calls time out after 5s.
func startJS(t *testing.T) (*testServer, *nats.Conn, nats.JetStreamContext) {
	t.Helper()
	s := startServer(t, "-js")
	nc, js := jsConnect(t, s)
	return s, nc, js
}

func jsConnect(t *testing.T, s *testServer) (*nats.Conn, nats.JetStreamContext) {
	t.Helper()
	nc := connect(t, s)
	js, err := nc.JetStream(nats.MaxWait(5 * time.Second))
	must(t, err)
	return nc, js
}

// apiErrCode asserts that err carries a JetStream API error with the given err_code.
func apiErrCode(t *testing.T, err error, code nats.ErrorCode, what string) *nats.APIError {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want err_code %d", what, code)
	}
	var ae *nats.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: got %v (%T), want an API error with err_code %d", what, err, err, code)
	}
	if ae.ErrorCode != code {
		t.Fatalf("%s: got err_code %d (code %d, %q), want %d", what, ae.ErrorCode, ae.Code, ae.Description, code)
	}
	return ae
}

func addStream(t *testing.T, js nats.JetStreamContext, cfg *nats.StreamConfig) *nats.StreamInfo {
	t.Helper()
	si, err := js.AddStream(cfg)
	if err != nil {
		t.Fatalf("AddStream %s: %v", cfg.Name, err)
	}
	return si
}

func streamInfo(t *testing.T, js nats.JetStreamContext, name string, opts ...nats.JSOpt) *nats.StreamInfo {
	t.Helper()
	si, err := js.StreamInfo(name, opts...)
	if err != nil {
		t.Fatalf("StreamInfo %s: %v", name, err)
	}
	return si
}

func consumerInfo(t *testing.T, js nats.JetStreamContext, stream, name string) *nats.ConsumerInfo {
	t.Helper()
	ci, err := js.ConsumerInfo(stream, name)
	if err != nil {
		t.Fatalf("ConsumerInfo %s/%s: %v", stream, name, err)
	}
	return ci
}

func publish(t *testing.T, js nats.JetStreamContext, subj, data string, opts ...nats.PubOpt) *nats.PubAck {
	t.Helper()
	pa, err := js.Publish(subj, []byte(data), opts...)
	if err != nil {
		t.Fatalf("js.Publish %s: %v", subj, err)
	}
	return pa
}

// wantState checks message count and first/last sequence of a stream.
func wantState(t *testing.T, js nats.JetStreamContext, name string, msgs, first, last uint64) *nats.StreamInfo {
	t.Helper()
	si := streamInfo(t, js, name)
	if st := si.State; st.Msgs != msgs || st.FirstSeq != first || st.LastSeq != last {
		t.Fatalf("stream %s state: msgs=%d first=%d last=%d, want msgs=%d first=%d last=%d",
			name, st.Msgs, st.FirstSeq, st.LastSeq, msgs, first, last)
	}
	return si
}

// waitMsgs polls StreamInfo until the stream holds want messages.
func waitMsgs(t *testing.T, js nats.JetStreamContext, name string, want uint64) {
	t.Helper()
	until := time.Now().Add(5 * time.Second)
	for {
		got := streamInfo(t, js, name).State.Msgs
		if got == want {
			return
		}
		if time.Now().After(until) {
			t.Fatalf("stream %s holds %d messages after 5s, want %d", name, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func collect(ch <-chan string) []string {
	var out []string
	for s := range ch {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func meta(t *testing.T, m *nats.Msg) *nats.MsgMetadata {
	t.Helper()
	md, err := m.Metadata()
	if err != nil {
		t.Fatalf("metadata of %q (reply %q): %v", m.Subject, m.Reply, err)
	}
	return md
}

// fetch pulls exactly n messages (each fetch waits at most wait) or fails.
func fetch(t *testing.T, sub *nats.Subscription, n int, wait time.Duration) []*nats.Msg {
	t.Helper()
	var out []*nats.Msg
	deadline := time.Now().Add(wait)
	for len(out) < n {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("fetched %d of %d messages within %v", len(out), n, wait)
		}
		msgs, err := sub.Fetch(n-len(out), nats.MaxWait(left))
		if err != nil && err != nats.ErrTimeout {
			t.Fatalf("Fetch: %v (after %d of %d messages)", err, len(out), n)
		}
		out = append(out, msgs...)
		if err == nats.ErrTimeout {
			t.Fatalf("Fetch timed out after %d of %d messages", len(out), n)
		}
	}
	return out
}

// noFetch asserts that a pull within wait returns no message (nats.ErrTimeout).
func noFetch(t *testing.T, sub *nats.Subscription, wait time.Duration, why string) {
	t.Helper()
	msgs, err := sub.Fetch(1, nats.MaxWait(wait))
	if err != nats.ErrTimeout || len(msgs) != 0 {
		var subs []string
		for _, m := range msgs {
			md, _ := m.Metadata()
			if md != nil {
				subs = append(subs, m.Subject+"#"+strconv.FormatUint(md.Sequence.Stream, 10))
			} else {
				subs = append(subs, m.Subject)
			}
		}
		t.Fatalf("%s: Fetch got %v err=%v, want no message (timeout)", why, subs, err)
	}
}

// serverBefore reports whether the connected server's version is below major.minor (for the few
// answers that changed between nats-server 2.9 and 2.10).
func serverBefore(nc *nats.Conn, major, minor int) bool {
	var ma, mi int
	fmt.Sscanf(nc.ConnectedServerVersion(), "%d.%d", &ma, &mi)
	return ma < major || (ma == major && mi < minor)
}
