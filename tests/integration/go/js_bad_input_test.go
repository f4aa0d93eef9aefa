package spatego

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// Garbage on every JetStream API subject, ack subject and flow-control subject gets an error
// reply or nothing, never a crash: the server still answers a well-formed request afterwards,
// and a request that is answered carries an error with a code.
func TestJSBadInputNeverBreaksTheServer(t *testing.T) {
	s, _, js := startJS(t)
	// The garbage goes through its own connection, closed before the checks: requests it left
	// waiting (pull requests without expiry) then have nobody to deliver to.
	nc := connect(t, s)
	addStream(t, js, &nats.StreamConfig{Name: "BAD", Subjects: []string{"bad.>"}})
	_, err := js.AddConsumer("BAD", &nats.ConsumerConfig{Durable: "C", AckPolicy: nats.AckExplicitPolicy})
	must(t, err)
	publish(t, js, "bad.x", "payload")
	subjects := []string{
		"$JS.API.INFO", "$JS.API.STREAM.CREATE.BAD2", "$JS.API.STREAM.UPDATE.BAD",
		"$JS.API.STREAM.INFO.BAD", "$JS.API.STREAM.NAMES", "$JS.API.STREAM.LIST",
		"$JS.API.STREAM.PURGE.NOPE", "$JS.API.STREAM.MSG.GET.BAD", "$JS.API.STREAM.MSG.DELETE.BAD",
		"$JS.API.CONSUMER.CREATE.BAD", "$JS.API.CONSUMER.CREATE.BAD.X", "$JS.API.CONSUMER.CREATE.BAD.X.bad.>",
		"$JS.API.CONSUMER.DURABLE.CREATE.BAD.D", "$JS.API.CONSUMER.DURABLE.CREATE.BAD",
		"$JS.API.CONSUMER.INFO.BAD.C", "$JS.API.CONSUMER.NAMES.BAD", "$JS.API.CONSUMER.LIST.BAD",
		"$JS.API.CONSUMER.MSG.NEXT.BAD.C", "$JS.API.CONSUMER.DELETE.BAD.NOPE", "$JS.API.STREAM",
		"$JS.API.CONSUMER", "$JS.API.CONSUMER.CREATE",
	}
	bodies := []string{"", "{", "[]", "null", "5", `{"name":5}`, `{"seq":-1}`, `{"batch":-5}`,
		`{"config":{"durable_name":"x.y"}}`, `{"stream_name":"BAD","config":{"ack_policy":"bogus"}}`,
		`{"seq":18446744073709551616}`, "\x00\xff\xfe garbage", `{"filter":"*.>.x","keep":1,"seq":1}`,
		`{"expires":-1,"no_wait":true}`, `{"last_by_subj":"bad.*"}`}
	for _, subj := range subjects {
		for _, body := range bodies {
			m, err := nc.Request(subj, []byte(body), 300*time.Millisecond)
			if err != nil {
				continue // no reply is allowed (nats-server drops some), a crash is not
			}
			if len(m.Data) == 0 || m.Data[0] != '{' {
				continue // a status message (pull requests) or an empty reply
			}
			var r map[string]json.RawMessage
			if json.Unmarshal(m.Data, &r) != nil {
				t.Fatalf("%s %q: reply is not JSON: %q", subj, body, m.Data)
			}
		}
	}
	for _, subj := range []string{"$JS.ACK.BAD.C", "$JS.ACK.BAD.C.x.y.z.w.v", "$JS.ACK.BAD.C.1.1.1.1.1.1.1",
		"$JS.ACK.NOPE.C.1.1.1.1.0", "$JS.ACK.BAD.NOPE.1.1.1.1.0", "$JS.ACK.BAD.C.1.99999999999999999999.1.1.0",
		"$JS.FC.BAD.C.1", "$JS.FC.BAD", "$JS.API.DIRECT.GET.BAD"} {
		for _, body := range []string{"", "+ACK", "-NAK {", "-NAK {\"delay\":-5}", "+TERM", "+WPI", "+NXT {", "garbage"} {
			must(t, nc.Publish(subj, []byte(body)))
		}
	}
	must(t, nc.Flush())
	nc.Close()
	// Still serving. (One of the bodies, {"...","seq":1}, is a valid MSG.DELETE of message 1:
	// both servers delete it, so the stream is empty at sequence 1.)
	wantState(t, js, "BAD", 0, 2, 1)
	publish(t, js, "bad.y", "after")
	wantState(t, js, "BAD", 1, 2, 2)
}

// A no_wait pull request is answered at once even when other requests wait before it, and a
// request whose requester went away is dropped rather than handed messages.
func TestJSPullNoWaitBehindWaitingRequests(t *testing.T) {
	s, nc, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "NW", Subjects: []string{"nw.>"}})
	_, err := js.AddConsumer("NW", &nats.ConsumerConfig{Durable: "C", AckPolicy: nats.AckExplicitPolicy})
	must(t, err)
	gone := connect(t, s)
	_, err = gone.SubscribeSync("gone.inbox")
	must(t, err)
	must(t, gone.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.NW.C", "gone.inbox", []byte(`{"batch":1}`)))
	must(t, gone.Flush())
	waitFor(t, 5*time.Second, func() bool { return consumerInfo(t, js, "NW", "C").NumWaiting == 1 }, "one request waiting")
	start := time.Now()
	m, err := nc.Request("$JS.API.CONSUMER.MSG.NEXT.NW.C", []byte(`{"batch":1,"no_wait":true}`), 2*time.Second)
	must(t, err)
	if got := m.Header.Get("Status"); got != "404" || time.Since(start) > time.Second {
		t.Fatalf("no_wait behind a waiting request: status %q after %v", got, time.Since(start))
	}
	gone.Close()
	// The close is processed asynchronously: wait until the server has dropped the departed
	// requester's interest, else the message may legitimately go to it (a race in nats-server too).
	waitFor(t, 5*time.Second, func() bool {
		_, err := nc.Request("gone.inbox", nil, 200*time.Millisecond)
		return err == nats.ErrNoResponders
	}, "the departed requester's subscription is gone")
	publish(t, js, "nw.a", "x")
	sub, err := js.PullSubscribe("nw.a", "C")
	must(t, err)
	msgs := fetch(t, sub, 1, 2*time.Second)
	if string(msgs[0].Data) != "x" || meta(t, msgs[0]).NumDelivered != 1 {
		t.Fatalf("the message went to the departed requester first: %q delivered %d", msgs[0].Data, meta(t, msgs[0]).NumDelivered)
	}
}
