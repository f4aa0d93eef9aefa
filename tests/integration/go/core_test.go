package spatego

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

func TestPubSubInOrder(t *testing.T) {
	s := startServer(t)
	sub, pub := connect(t, s), connect(t, s)
	ss, err := sub.SubscribeSync("orders.created")
	must(t, err)
	must(t, sub.Flush())
	for i := 0; i < 100; i++ {
		must(t, pub.Publish("orders.created", []byte(fmt.Sprintf("order-%d", i))))
	}
	must(t, pub.Flush())
	for i := 0; i < 100; i++ {
		m, err := ss.NextMsg(5 * time.Second)
		must(t, err)
		if want := fmt.Sprintf("order-%d", i); string(m.Data) != want {
			t.Fatalf("message %d: got %q want %q", i, m.Data, want)
		}
	}
}

// deliveries publishes one message per subject on nc (payload = subject) and returns what sub got.
func deliveries(t *testing.T, nc *nats.Conn, sub *nats.Subscription, subjects ...string) []string {
	t.Helper()
	for _, s := range subjects {
		must(t, nc.Publish(s, []byte(s)))
	}
	must(t, nc.Flush()) // the PONG comes after every MSG for this connection
	n, _, err := sub.Pending()
	must(t, err)
	var got []string
	for i := 0; i < n; i++ {
		m, err := sub.NextMsg(time.Second)
		must(t, err)
		got = append(got, string(m.Data))
	}
	return got
}

func TestWildcards(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s)
	star, err := nc.SubscribeSync("orders.*.eu")
	must(t, err)
	tail, err := nc.SubscribeSync("orders.>")
	must(t, err)
	subjects := []string{"orders.new.eu", "orders.eu", "orders.new.old.eu", "orders", "orders.paid.eu", "shipping.new.eu"}
	got := deliveries(t, nc, star, subjects...)
	if fmt.Sprint(got) != "[orders.new.eu orders.paid.eu]" {
		t.Errorf("orders.*.eu got %v", got)
	}
	n, _, _ := tail.Pending()
	if n != 4 {
		t.Errorf("orders.> got %d messages, want 4 (all but 'orders' and 'shipping.new.eu')", n)
	}
}

func TestQueueGroupDeliversEachMessageOnce(t *testing.T) {
	const members, messages = 3, 300
	s := startServer(t)
	var counts [members]atomic.Int64
	var mu sync.Mutex
	seen := map[string]int{}
	for i := 0; i < members; i++ {
		i := i
		nc := connect(t, s)
		_, err := nc.QueueSubscribe("jobs.*", "workers", func(m *nats.Msg) {
			counts[i].Add(1)
			mu.Lock()
			seen[string(m.Data)]++
			mu.Unlock()
		})
		must(t, err)
		must(t, nc.Flush())
	}
	pub := connect(t, s)
	for i := 0; i < messages; i++ {
		must(t, pub.Publish("jobs.resize", []byte(fmt.Sprint(i))))
	}
	must(t, pub.Flush())
	total := func() int64 {
		var sum int64
		for i := range counts {
			sum += counts[i].Load()
		}
		return sum
	}
	waitFor(t, 10*time.Second, func() bool { return total() >= messages }, "%d messages to the group", messages)
	must(t, pub.Flush())
	if got := total(); got != messages {
		t.Fatalf("group received %d messages, want exactly %d", got, messages)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != messages {
		t.Fatalf("%d distinct messages, want %d", len(seen), messages)
	}
	for i := range counts {
		if counts[i].Load() == 0 {
			t.Errorf("member %d got nothing: messages are not spread across the group", i)
		}
	}
}

func TestRequestReply(t *testing.T) {
	s := startServer(t)
	responder, requester := connect(t, s), connect(t, s)
	_, err := responder.Subscribe("svc.echo", func(m *nats.Msg) { _ = m.Respond(append([]byte("re:"), m.Data...)) })
	must(t, err)
	must(t, responder.Flush())
	for i := 0; i < 20; i++ {
		body := fmt.Sprintf("ping-%d", i)
		reply, err := requester.Request("svc.echo", []byte(body), 5*time.Second)
		must(t, err)
		if string(reply.Data) != "re:"+body {
			t.Fatalf("got %q", reply.Data)
		}
	}
}

func TestNoResponders(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s)
	start := time.Now()
	_, err := nc.Request("svc.nobody", []byte("hi"), 10*time.Second)
	if !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("got %v, want nats.ErrNoResponders", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("no-responders took %v", time.Since(start))
	}
}

func TestHeadersRoundTrip(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s)
	sub, err := nc.SubscribeSync("with.headers")
	must(t, err)
	msg := nats.NewMsg("with.headers")
	msg.Data = []byte("body")
	msg.Header.Set("Trace-Id", "abc-123")
	msg.Header.Add("Multi", "one")
	msg.Header.Add("Multi", "two")
	must(t, nc.PublishMsg(msg))
	got, err := sub.NextMsg(5 * time.Second)
	must(t, err)
	if string(got.Data) != "body" || got.Header.Get("Trace-Id") != "abc-123" ||
		fmt.Sprint(got.Header.Values("Multi")) != "[one two]" {
		t.Fatalf("got data %q headers %v", got.Data, got.Header)
	}
}

func TestAutoUnsubscribe(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s)
	sub, err := nc.SubscribeSync("limited")
	must(t, err)
	must(t, sub.AutoUnsubscribe(3))
	for i := 0; i < 10; i++ {
		must(t, nc.Publish("limited", []byte(fmt.Sprint(i))))
	}
	must(t, nc.Flush())
	for i := 0; i < 3; i++ {
		m, err := sub.NextMsg(time.Second)
		must(t, err)
		if string(m.Data) != fmt.Sprint(i) {
			t.Fatalf("got %q want %d", m.Data, i)
		}
	}
	if _, err := sub.NextMsg(10 * time.Millisecond); !errors.Is(err, nats.ErrMaxMessages) {
		t.Fatalf("after max: got %v, want nats.ErrMaxMessages", err)
	}
	other, err := nc.SubscribeSync("limited")
	must(t, err)
	must(t, nc.Publish("limited", []byte("after")))
	must(t, nc.Flush())
	if n, _, _ := other.Pending(); n != 1 {
		t.Fatalf("new subscriber has %d pending, want 1", n)
	}
}

func TestNoEcho(t *testing.T) {
	s := startServer(t)
	quiet, other := connect(t, s, nats.NoEcho()), connect(t, s)
	own, err := quiet.SubscribeSync("chat")
	must(t, err)
	must(t, quiet.Flush())
	must(t, quiet.Publish("chat", []byte("from-quiet")))
	must(t, quiet.Flush())
	must(t, other.Publish("chat", []byte("from-other")))
	must(t, other.Flush())
	must(t, quiet.Flush())
	got := deliveries(t, quiet, own)
	if fmt.Sprint(got) != "[from-other]" {
		t.Fatalf("no-echo subscriber got %v, want only [from-other]", got)
	}
}

func TestDrain(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s)
	closed := make(chan struct{})
	nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
	var got atomic.Int64
	_, err := nc.Subscribe("drain.me", func(*nats.Msg) { got.Add(1) })
	must(t, err)
	for i := 0; i < 50; i++ {
		must(t, nc.Publish("drain.me", []byte("x")))
	}
	must(t, nc.Flush())
	must(t, nc.Drain())
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("connection not closed after drain")
	}
	if got.Load() != 50 {
		t.Fatalf("handled %d messages during drain, want 50", got.Load())
	}
}
