package spatego

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

func TestJSPullFetchAckAndRedelivery(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "W", Subjects: []string{"w.>"}}, 5, "w.a")
	sub, err := js.PullSubscribe("w.>", "worker", nats.AckWait(500*time.Millisecond))
	must(t, err)
	msgs := fetch(t, sub, 5, 3*time.Second)
	delivered := time.Now()
	if got := streamSeqs(t, msgs); !reflect.DeepEqual(got, []uint64{1, 2, 3, 4, 5}) {
		t.Fatalf("first fetch stream seqs %v", got)
	}
	for i, m := range msgs {
		md := meta(t, m)
		if md.NumDelivered != 1 || md.Sequence.Consumer != uint64(i+1) || md.Stream != "W" || md.Consumer != "worker" ||
			md.NumPending != uint64(4-i) || string(m.Data) != fmt.Sprintf("w.a-%d", i+1) {
			t.Fatalf("message %d: %+v data %q", i, md, m.Data)
		}
	}
	for _, m := range msgs[:3] {
		must(t, m.AckSync())
	}
	ci := consumerInfo(t, js, "W", "worker")
	if ci.NumAckPending != 2 || ci.AckFloor.Stream != 3 || ci.AckFloor.Consumer != 3 || ci.Delivered.Stream != 5 ||
		ci.Delivered.Consumer != 5 || ci.NumPending != 0 || ci.NumRedelivered != 0 {
		t.Fatalf("info after acking 1-3: %+v", ci)
	}
	// 4 and 5 come back after ack_wait, as deliveries 2; 1-3 never do.
	re := fetch(t, sub, 2, 3*time.Second)
	if el := time.Since(delivered); el < 400*time.Millisecond {
		t.Fatalf("redelivered after %v, before ack_wait 500ms", el)
	}
	if got := streamSeqs(t, re); !reflect.DeepEqual(got, []uint64{4, 5}) {
		t.Fatalf("redelivered stream seqs %v, want [4 5]", got)
	}
	for i, m := range re {
		if md := meta(t, m); md.NumDelivered != 2 || md.Sequence.Consumer != uint64(6+i) {
			t.Fatalf("redelivery %d metadata %+v", i, md)
		}
		must(t, m.AckSync())
	}
	noFetch(t, sub, time.Second, "after acking everything")
	ci = consumerInfo(t, js, "W", "worker")
	if ci.NumAckPending != 0 || ci.AckFloor.Stream != 5 || ci.NumPending != 0 || ci.NumRedelivered != 0 {
		t.Fatalf("final info: %+v", ci)
	}
}

func TestJSNakRedelivery(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "NK", Subjects: []string{"nk"}}, 1, "nk")
	sub, err := js.PullSubscribe("nk", "nk") // default ack_wait 30s: redelivery below is Nak-driven
	must(t, err)
	m := fetch(t, sub, 1, 2*time.Second)[0]
	must(t, m.Nak())
	m = fetch(t, sub, 1, 2*time.Second)[0]
	if md := meta(t, m); md.NumDelivered != 2 || md.Sequence.Stream != 1 {
		t.Fatalf("after Nak: %+v", md)
	}
	start := time.Now()
	must(t, m.NakWithDelay(400*time.Millisecond))
	m = fetch(t, sub, 1, 3*time.Second)[0]
	if el := time.Since(start); el < 350*time.Millisecond {
		t.Fatalf("NakWithDelay(400ms) redelivered after %v", el)
	}
	if md := meta(t, m); md.NumDelivered != 3 {
		t.Fatalf("after NakWithDelay: %+v", md)
	}
	must(t, m.AckSync())
	noFetch(t, sub, 500*time.Millisecond, "after ack")
}

func TestJSInProgressAndTerm(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "IP", Subjects: []string{"ip"}}, 2, "ip")
	sub, err := js.PullSubscribe("ip", "ip", nats.AckWait(800*time.Millisecond))
	must(t, err)
	msgs := fetch(t, sub, 2, 2*time.Second)
	first, second := msgs[0], msgs[1]
	must(t, second.Term())
	// Keep the first in progress for 1.25s (> ack_wait): no redelivery meanwhile.
	for i := 0; i < 5; i++ {
		noFetch(t, sub, 250*time.Millisecond, "while in progress")
		must(t, first.InProgress())
	}
	// Stop: it comes back after ack_wait; the terminated one never does.
	m := fetch(t, sub, 1, 3*time.Second)[0]
	if md := meta(t, m); md.Sequence.Stream != 1 || md.NumDelivered != 2 {
		t.Fatalf("redelivery after in-progress stopped: %+v", md)
	}
	must(t, m.AckSync())
	noFetch(t, sub, time.Second, "terminated message")
	ci := consumerInfo(t, js, "IP", "ip")
	if ci.NumAckPending != 0 || ci.AckFloor.Stream != 2 {
		t.Fatalf("info after term+ack: %+v", ci)
	}
}

func TestJSMaxDeliver(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "MD", Subjects: []string{"md"}}, 1, "md")
	sub, err := js.PullSubscribe("md", "md", nats.AckWait(300*time.Millisecond), nats.MaxDeliver(2))
	must(t, err)
	if md := meta(t, fetch(t, sub, 1, 2*time.Second)[0]); md.NumDelivered != 1 {
		t.Fatalf("first delivery %+v", md)
	}
	if md := meta(t, fetch(t, sub, 1, 2*time.Second)[0]); md.NumDelivered != 2 {
		t.Fatalf("second delivery %+v", md)
	}
	noFetch(t, sub, time.Second, "third delivery with max_deliver 2")
	if ci := consumerInfo(t, js, "MD", "md"); ci.Config.MaxDeliver != 2 || ci.Delivered.Consumer != 2 {
		t.Fatalf("info %+v", ci)
	}
}

func TestJSPushDurableManualAck(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "PU", Subjects: []string{"pu.*"}}, 4, "pu.x")
	got := make(chan *nats.Msg, 16)
	sub, err := js.Subscribe("pu.*", func(m *nats.Msg) { got <- m }, nats.Durable("pd"), nats.ManualAck(),
		nats.AckWait(500*time.Millisecond))
	must(t, err)
	defer sub.Unsubscribe()
	next := func() *nats.MsgMetadata {
		t.Helper()
		select {
		case m := <-got:
			md := meta(t, m)
			if m.Subject != "pu.x" {
				t.Fatalf("push delivery of stream seq %d has subject %q, want the stored subject pu.x", md.Sequence.Stream, m.Subject)
			}
			if md.Sequence.Stream%2 == 1 || md.NumDelivered == 2 {
				must(t, m.AckSync())
			}
			return md
		case <-time.After(3 * time.Second):
			t.Fatalf("no push delivery within 3s")
		}
		return nil
	}
	for i := uint64(1); i <= 4; i++ { // acks the odd ones only
		if md := next(); md.Sequence.Stream != i || md.NumDelivered != 1 {
			t.Fatalf("delivery %d: %+v", i, md)
		}
	}
	for _, want := range []uint64{2, 4} { // the even ones come back
		if md := next(); md.Sequence.Stream != want || md.NumDelivered != 2 {
			t.Fatalf("redelivery: %+v, want stream seq %d delivery 2", md, want)
		}
	}
	ci := consumerInfo(t, js, "PU", "pd")
	if ci.Config.Durable != "pd" || ci.Config.DeliverSubject == "" || !ci.PushBound || ci.Config.AckPolicy != nats.AckExplicitPolicy ||
		ci.NumAckPending != 0 || ci.AckFloor.Stream != 4 || ci.Delivered.Consumer != 6 || ci.NumRedelivered != 0 {
		t.Fatalf("push consumer info: %+v", ci)
	}
	select {
	case m := <-got:
		t.Fatalf("unexpected extra delivery %s %q", m.Subject, m.Data)
	case <-time.After(700 * time.Millisecond):
	}
}

func TestJSAckSyncSurvivesRestart(t *testing.T) {
	s, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "AR", Subjects: []string{"ar"}}, 3, "ar")
	sub, err := js.PullSubscribe("ar", "ar", nats.AckWait(time.Second))
	must(t, err)
	msgs := fetch(t, sub, 3, 2*time.Second)
	must(t, msgs[0].AckSync())
	must(t, msgs[1].AckSync())

	s = s.restart(t)
	_, js = jsConnect(t, s)
	ci := consumerInfo(t, js, "AR", "ar")
	if ci.AckFloor.Stream != 2 || ci.Delivered.Stream != 3 || ci.NumAckPending != 1 || ci.NumPending != 0 {
		t.Fatalf("consumer state after restart: %+v", ci)
	}
	sub, err = js.PullSubscribe("ar", "ar", nats.AckWait(time.Second))
	must(t, err)
	m := fetch(t, sub, 1, 3*time.Second)[0] // only the unacked one, once ack_wait passes
	if md := meta(t, m); md.Sequence.Stream != 3 || md.NumDelivered != 2 {
		t.Fatalf("redelivery after restart: %+v", md)
	}
	must(t, m.AckSync())
	noFetch(t, sub, 1500*time.Millisecond, "acked messages after restart")
}

func TestJSDurableConsumerSurvivesRestart(t *testing.T) {
	s, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "DR", Subjects: []string{"dr.*"}}, 6, "dr.a", "dr.b")
	cfg := &nats.ConsumerConfig{Durable: "keep", AckPolicy: nats.AckExplicitPolicy, FilterSubject: "dr.a",
		AckWait: 20 * time.Second, MaxDeliver: 5, Description: "persisted"}
	_, err := js.AddConsumer("DR", cfg)
	must(t, err)
	_, err = js.AddConsumer("DR", &nats.ConsumerConfig{Durable: "push", AckPolicy: nats.AckExplicitPolicy, DeliverSubject: "deliver.push"})
	must(t, err)
	sub, err := js.PullSubscribe("dr.a", "keep", nats.Bind("DR", "keep"))
	must(t, err)
	for _, m := range fetch(t, sub, 2, 2*time.Second) { // stream seqs 1, 3
		must(t, m.AckSync())
	}
	before := consumerInfo(t, js, "DR", "keep")

	s = s.restart(t)
	_, js = jsConnect(t, s)
	if got := collect(js.ConsumerNames("DR")); !reflect.DeepEqual(got, []string{"keep", "push"}) {
		t.Fatalf("consumers after restart: %v", got)
	}
	after := consumerInfo(t, js, "DR", "keep")
	if !reflect.DeepEqual(before.Config, after.Config) || before.Delivered.Stream != after.Delivered.Stream ||
		before.Delivered.Consumer != after.Delivered.Consumer || before.AckFloor.Stream != after.AckFloor.Stream ||
		after.NumPending != 1 || after.NumAckPending != 0 {
		t.Fatalf("consumer changed across restart:\nbefore %+v\nafter  %+v", before, after)
	}
	if pc := consumerInfo(t, js, "DR", "push"); pc.Config.DeliverSubject != "deliver.push" || pc.NumPending != 6 {
		t.Fatalf("push consumer after restart: %+v", pc)
	}
	sub, err = js.PullSubscribe("dr.a", "keep", nats.Bind("DR", "keep"))
	must(t, err)
	m := fetch(t, sub, 1, 2*time.Second)[0]
	if md := meta(t, m); md.Sequence.Stream != 5 || md.Sequence.Consumer != 3 || md.NumDelivered != 1 {
		t.Fatalf("next after restart: %+v", md)
	}
}

// sample_freq 100% publishes an ack metric per ack, and +TERM publishes a terminated advisory.
func TestJSAckSamplesAndTerminatedAdvisory(t *testing.T) {
	_, nc, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "SM", Subjects: []string{"sm"}}, 2, "sm")
	metrics, err := nc.SubscribeSync("$JS.EVENT.METRIC.CONSUMER.ACK.SM.sampled")
	must(t, err)
	advisories, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.SM.sampled")
	must(t, err)
	must(t, nc.Flush())
	_, err = js.AddConsumer("SM", &nats.ConsumerConfig{Durable: "sampled", AckPolicy: nats.AckExplicitPolicy, SampleFrequency: "100%"})
	must(t, err)
	sub, err := js.PullSubscribe("sm", "sampled")
	must(t, err)
	msgs := fetch(t, sub, 2, 2*time.Second)
	must(t, msgs[0].AckSync())
	must(t, msgs[1].Term())
	m, err := metrics.NextMsg(2 * time.Second)
	must(t, err)
	var sample struct {
		Type        string `json:"type"`
		Stream      string `json:"stream"`
		Consumer    string `json:"consumer"`
		StreamSeq   uint64 `json:"stream_seq"`
		ConsumerSeq uint64 `json:"consumer_seq"`
		Deliveries  uint64 `json:"deliveries"`
	}
	must(t, json.Unmarshal(m.Data, &sample))
	if sample.Type != "io.nats.jetstream.metric.v1.consumer_ack" || sample.Stream != "SM" ||
		sample.Consumer != "sampled" || sample.StreamSeq != 1 || sample.ConsumerSeq != 1 || sample.Deliveries != 1 {
		t.Fatalf("ack sample: %s", m.Data)
	}
	a, err := advisories.NextMsg(2 * time.Second)
	must(t, err)
	var adv struct {
		Type      string `json:"type"`
		StreamSeq uint64 `json:"stream_seq"`
	}
	must(t, json.Unmarshal(a.Data, &adv))
	if adv.Type != "io.nats.jetstream.advisory.v1.terminated" || adv.StreamSeq != 2 {
		t.Fatalf("terminated advisory: %s", a.Data)
	}
}
