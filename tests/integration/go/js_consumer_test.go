package spatego

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// streamWith creates stream name on subjects and publishes n messages "<subj>-<i>" round-robin
// over pubSubjects.
func streamWith(t *testing.T, js nats.JetStreamContext, cfg *nats.StreamConfig, n int, pubSubjects ...string) {
	t.Helper()
	addStream(t, js, cfg)
	for i := 1; i <= n; i++ {
		subj := pubSubjects[(i-1)%len(pubSubjects)]
		publish(t, js, subj, fmt.Sprintf("%s-%d", subj, i))
	}
}

func streamSeqs(t *testing.T, msgs []*nats.Msg) []uint64 {
	t.Helper()
	var out []uint64
	for _, m := range msgs {
		out = append(out, meta(t, m).Sequence.Stream)
	}
	return out
}

func TestJSPushQueueGroup(t *testing.T) {
	s, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "Q", Subjects: []string{"q.>"}})
	var mu sync.Mutex
	seen := map[string]int{}
	per := [2]int{}
	for i := 0; i < 2; i++ {
		i := i
		_, js2 := jsConnect(t, s)
		_, err := js2.QueueSubscribe("q.>", "workers", func(m *nats.Msg) {
			mu.Lock()
			seen[string(m.Data)]++
			per[i]++
			mu.Unlock()
			_ = m.Ack()
		}, nats.Durable("qd"), nats.ManualAck())
		must(t, err)
	}
	for i := 0; i < 100; i++ {
		publish(t, js, "q.job", fmt.Sprint(i))
	}
	waitFor(t, 5*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return per[0]+per[1] >= 100 }, "100 deliveries")
	mu.Lock()
	if len(seen) != 100 || per[0] == 0 || per[1] == 0 || per[0]+per[1] != 100 {
		t.Fatalf("queue split: %d distinct, per member %v", len(seen), per)
	}
	mu.Unlock()
	ci := consumerInfo(t, js, "Q", "qd")
	if ci.Config.DeliverGroup != "workers" {
		t.Fatalf("deliver_group %q", ci.Config.DeliverGroup)
	}
	waitFor(t, 5*time.Second, func() bool {
		ci = consumerInfo(t, js, "Q", "qd")
		return ci.NumAckPending == 0 && ci.AckFloor.Stream == 100
	}, "all 100 acked")
}

func TestJSOrderedConsumer(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "O", Subjects: []string{"o.*"}}, 25, "o.a", "o.b")
	sub, err := js.SubscribeSync("o.*", nats.OrderedConsumer())
	must(t, err)
	for i := 26; i <= 50; i++ {
		publish(t, js, "o.c", fmt.Sprint(i))
	}
	for i := uint64(1); i <= 50; i++ {
		m, err := sub.NextMsg(3 * time.Second)
		if err != nil {
			t.Fatalf("ordered message %d: %v", i, err)
		}
		if md := meta(t, m); md.Sequence.Stream != i || md.Sequence.Consumer != i || md.NumDelivered != 1 {
			t.Fatalf("ordered message %d: %+v", i, md)
		}
		want := "o.c"
		if i <= 25 {
			want = []string{"o.a", "o.b"}[(i-1)%2]
		}
		if m.Subject != want {
			t.Fatalf("ordered message %d delivered with subject %q, want the stored subject %q", i, m.Subject, want)
		}
	}
	ci, err := sub.ConsumerInfo()
	must(t, err)
	if ci.Config.AckPolicy != nats.AckNonePolicy || ci.Config.Durable != "" || ci.Config.DeliverSubject == "" {
		t.Fatalf("ordered consumer config %+v", ci.Config)
	}
}

func TestJSDeliverPolicies(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "DP", Subjects: []string{"dp.*"}})
	for _, s := range []string{"dp.1", "dp.2", "dp.1", "dp.3", "dp.2"} { // seqs 1..5
		publish(t, js, s, s)
	}
	subs := map[string]*nats.Subscription{}
	for name, opt := range map[string]nats.SubOpt{
		"last": nats.DeliverLast(), "new": nats.DeliverNew(), "start3": nats.StartSequence(3),
		"lastper": nats.DeliverLastPerSubject(), "all": nats.DeliverAll(),
	} {
		sub, err := js.SubscribeSync("dp.*", opt, nats.AckNone())
		if err != nil {
			t.Fatalf("subscribe %s: %v", name, err)
		}
		subs[name] = sub
	}
	ci, err := subs["lastper"].ConsumerInfo()
	must(t, err)
	if ci.Config.DeliverPolicy != nats.DeliverLastPerSubjectPolicy || ci.Config.FilterSubject != "dp.*" {
		t.Fatalf("last-per-subject config %+v", ci.Config)
	}
	publish(t, js, "dp.9", "dp.9") // seq 6
	want := map[string][]uint64{
		"all": {1, 2, 3, 4, 5, 6}, "last": {5, 6}, "new": {6}, "start3": {3, 4, 5, 6}, "lastper": {3, 4, 5, 6},
	}
	for name, seqs := range want {
		var got []uint64
		for range seqs {
			m, err := subs[name].NextMsg(3 * time.Second)
			if err != nil {
				t.Fatalf("%s: after %v: %v", name, got, err)
			}
			got = append(got, meta(t, m).Sequence.Stream)
		}
		if !reflect.DeepEqual(got, seqs) {
			t.Fatalf("%s delivered stream seqs %v, want %v", name, got, seqs)
		}
	}
	for name, sub := range subs {
		if m, err := sub.NextMsg(200 * time.Millisecond); err == nil {
			t.Fatalf("%s: extra message %s", name, m.Subject)
		}
	}
	// The same with pull consumers: num_pending right after create tells where they start.
	for _, c := range []struct {
		cfg     nats.ConsumerConfig
		pending uint64
	}{
		{nats.ConsumerConfig{Durable: "p-last", DeliverPolicy: nats.DeliverLastPolicy}, 1},
		{nats.ConsumerConfig{Durable: "p-new", DeliverPolicy: nats.DeliverNewPolicy}, 0},
		{nats.ConsumerConfig{Durable: "p-seq", DeliverPolicy: nats.DeliverByStartSequencePolicy, OptStartSeq: 4}, 3},
		{nats.ConsumerConfig{Durable: "p-lps", DeliverPolicy: nats.DeliverLastPerSubjectPolicy, FilterSubject: "dp.*"}, 4},
		{nats.ConsumerConfig{Durable: "p-all", DeliverPolicy: nats.DeliverAllPolicy, FilterSubject: "dp.1"}, 2},
	} {
		c.cfg.AckPolicy = nats.AckExplicitPolicy
		ci, err := js.AddConsumer("DP", &c.cfg)
		if err != nil {
			t.Fatalf("add %s: %v", c.cfg.Durable, err)
		}
		if ci.NumPending != c.pending {
			t.Fatalf("%s: num_pending %d, want %d", c.cfg.Durable, ci.NumPending, c.pending)
		}
	}
}

// A Fetch of more than is left gets what is left at once, not after its MaxWait: nats.go asks with
// no_wait and an expiry, and the server ends such a request at the end of the stream once it got
// messages (408), for a wildcard and an unfiltered consumer alike.
func TestJSFetchOfMoreThanIsLeftReturnsAtOnce(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "FL", Subjects: []string{"fl.>"}}, 7, "fl.a", "fl.b.c")
	for _, filter := range []string{"fl.>", ""} {
		name := "fl" + strconv.Itoa(len(filter))
		_, err := js.AddConsumer("FL", &nats.ConsumerConfig{Durable: name, AckPolicy: nats.AckExplicitPolicy, FilterSubject: filter})
		must(t, err)
		sub, err := js.PullSubscribe(filter, name, nats.Bind("FL", name))
		must(t, err)
		start := time.Now()
		first, err := sub.Fetch(5, nats.MaxWait(20*time.Second))
		must(t, err)
		rest, err := sub.Fetch(100, nats.MaxWait(20*time.Second))
		must(t, err)
		if len(first) != 5 || len(rest) != 2 {
			t.Fatalf("filter %q: fetched %d then %d messages, want 5 then 2", filter, len(first), len(rest))
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("filter %q: the fetches took %v: the second one waited for its expiry", filter, took)
		}
	}
}

func TestJSFilterSubject(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "F", Subjects: []string{"f.*"}}, 10, "f.a", "f.b")
	sub, err := js.PullSubscribe("f.b", "fb")
	must(t, err)
	ci, err := sub.ConsumerInfo()
	must(t, err)
	if ci.Config.FilterSubject != "f.b" || ci.NumPending != 5 {
		t.Fatalf("filtered consumer info %+v", ci)
	}
	msgs, err := sub.Fetch(10, nats.MaxWait(2*time.Second)) // 5 available: returns them, no wait
	must(t, err)
	if got := streamSeqs(t, msgs); !reflect.DeepEqual(got, []uint64{2, 4, 6, 8, 10}) {
		t.Fatalf("filtered fetch stream seqs %v", got)
	}
	for i, m := range msgs {
		if m.Subject != "f.b" || meta(t, m).Sequence.Consumer != uint64(i+1) {
			t.Fatalf("filtered message %d: subject %q (want f.b), metadata %+v", i, m.Subject, meta(t, m))
		}
		must(t, m.Ack())
	}
	publish(t, js, "f.a", "x")
	publish(t, js, "f.b", "y") // seq 12
	m := fetch(t, sub, 1, 2*time.Second)[0]
	if md := meta(t, m); md.Sequence.Stream != 12 || md.Sequence.Consumer != 6 {
		t.Fatalf("new filtered message %+v", md)
	}
}

func TestJSConsumerInfoFields(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "CI", Subjects: []string{"ci"}}, 10, "ci")
	ci, err := js.AddConsumer("CI", &nats.ConsumerConfig{Durable: "ci", AckPolicy: nats.AckExplicitPolicy, Description: "d"})
	must(t, err)
	if ci.Stream != "CI" || ci.Name != "ci" || ci.NumPending != 10 || ci.NumAckPending != 0 || ci.Delivered.Stream != 0 ||
		ci.Delivered.Consumer != 0 || ci.AckFloor.Stream != 0 || ci.Config.Description != "d" ||
		ci.Config.AckWait != 30*time.Second || ci.Config.MaxDeliver != -1 || ci.Config.MaxAckPending != 1000 ||
		ci.Config.DeliverPolicy != nats.DeliverAllPolicy || ci.Config.ReplayPolicy != nats.ReplayInstantPolicy || ci.Created.IsZero() {
		t.Fatalf("new consumer info %+v", ci)
	}
	sub, err := js.PullSubscribe("ci", "ci", nats.Bind("CI", "ci"))
	must(t, err)
	msgs := fetch(t, sub, 4, 2*time.Second)
	for _, i := range []int{0, 1, 3} {
		must(t, msgs[i].AckSync())
	}
	ci = consumerInfo(t, js, "CI", "ci")
	if ci.Delivered.Consumer != 4 || ci.Delivered.Stream != 4 || ci.AckFloor.Consumer != 2 || ci.AckFloor.Stream != 2 ||
		ci.NumAckPending != 1 || ci.NumPending != 6 || ci.NumRedelivered != 0 || ci.NumWaiting != 0 {
		t.Fatalf("info after 4 delivered, 1,2,4 acked: %+v", ci)
	}
	must(t, msgs[2].AckSync())
	ci = consumerInfo(t, js, "CI", "ci")
	if ci.AckFloor.Stream != 4 || ci.AckFloor.Consumer != 4 || ci.NumAckPending != 0 {
		t.Fatalf("info after acking 3: %+v", ci)
	}
	if si := streamInfo(t, js, "CI"); si.State.Consumers != 1 {
		t.Fatalf("stream consumer_count %d", si.State.Consumers)
	}
}

func TestJSConsumerListUpdateDelete(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "CL", Subjects: []string{"cl.>"}})
	for _, cfg := range []*nats.ConsumerConfig{
		{Durable: "c1", AckPolicy: nats.AckExplicitPolicy},
		{Durable: "c2", AckPolicy: nats.AckExplicitPolicy, FilterSubject: "cl.two"},
		{Durable: "c3", AckPolicy: nats.AckExplicitPolicy, DeliverSubject: "push.c3"},
	} {
		_, err := js.AddConsumer("CL", cfg)
		must(t, err)
	}
	if got := collect(js.ConsumerNames("CL")); !reflect.DeepEqual(got, []string{"c1", "c2", "c3"}) {
		t.Fatalf("ConsumerNames = %v", got)
	}
	var infos []string
	for ci := range js.Consumers("CL") {
		infos = append(infos, ci.Name+":"+ci.Config.FilterSubject+":"+ci.Config.DeliverSubject)
	}
	if got := sorted(infos); !reflect.DeepEqual(got, []string{"c1::", "c2:cl.two:", "c3::push.c3"}) {
		t.Fatalf("Consumers = %v", got)
	}
	// Allowed update (description, ack_wait) and a refused one (deliver_policy).
	ci, err := js.UpdateConsumer("CL", &nats.ConsumerConfig{Durable: "c1", AckPolicy: nats.AckExplicitPolicy,
		Description: "updated", AckWait: 5 * time.Second})
	must(t, err)
	if ci.Config.Description != "updated" || ci.Config.AckWait != 5*time.Second {
		t.Fatalf("updated consumer %+v", ci.Config)
	}
	_, err = js.UpdateConsumer("CL", &nats.ConsumerConfig{Durable: "c1", AckPolicy: nats.AckExplicitPolicy,
		DeliverPolicy: nats.DeliverNewPolicy})
	apiErrCode(t, err, 10012, "update of deliver_policy")

	must(t, js.DeleteConsumer("CL", "c2"))
	if got := collect(js.ConsumerNames("CL")); !reflect.DeepEqual(got, []string{"c1", "c3"}) {
		t.Fatalf("ConsumerNames after delete = %v", got)
	}
	if _, err := js.ConsumerInfo("CL", "c2"); !errors.Is(err, nats.ErrConsumerNotFound) {
		t.Fatalf("info of deleted consumer: %v", err)
	}
	apiErrCode(t, js.DeleteConsumer("CL", "c2"), 10014, "delete of deleted consumer")
	if err := js.DeleteConsumer("NOPE", "c1"); !errors.Is(err, nats.ErrStreamNotFound) {
		t.Fatalf("delete consumer on missing stream: %v", err)
	}
	if si := streamInfo(t, js, "CL"); si.State.Consumers != 2 {
		t.Fatalf("consumer_count %d", si.State.Consumers)
	}
}

func TestJSWorkQueueRetention(t *testing.T) {
	_, _, js := startJS(t)
	streamWith(t, js, &nats.StreamConfig{Name: "WQ", Subjects: []string{"wq.*"}, Retention: nats.WorkQueuePolicy}, 5, "wq.a")
	sub, err := js.PullSubscribe("wq.*", "w")
	must(t, err)
	msgs := fetch(t, sub, 5, 2*time.Second)
	for _, m := range msgs[:3] {
		must(t, m.AckSync())
	}
	waitMsgs(t, js, "WQ", 2)
	wantState(t, js, "WQ", 2, 4, 5)
	_, err = js.AddConsumer("WQ", &nats.ConsumerConfig{Durable: "w2", AckPolicy: nats.AckExplicitPolicy})
	apiErrCode(t, err, 10099, "second unfiltered consumer on a work queue")
	for _, m := range msgs[3:] {
		must(t, m.AckSync())
	}
	waitMsgs(t, js, "WQ", 0)
	wantState(t, js, "WQ", 0, 6, 5)
}

func TestJSInterestRetention(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "IN", Subjects: []string{"in"}, Retention: nats.InterestPolicy})
	// No consumers yet: the message is acknowledged but not kept.
	if pa := publish(t, js, "in", "lost"); pa.Sequence != 1 {
		t.Fatalf("first publish %+v", pa)
	}
	wantState(t, js, "IN", 0, 2, 1)
	a, err := js.PullSubscribe("in", "a")
	must(t, err)
	b, err := js.PullSubscribe("in", "b")
	must(t, err)
	for i := 0; i < 3; i++ { // 2..4
		publish(t, js, "in", fmt.Sprint(i))
	}
	wantState(t, js, "IN", 3, 2, 4)
	for _, m := range fetch(t, a, 3, 2*time.Second) {
		must(t, m.AckSync())
	}
	wantState(t, js, "IN", 3, 2, 4) // b still has not acked
	bm := fetch(t, b, 3, 2*time.Second)
	must(t, bm[0].AckSync())
	must(t, bm[1].AckSync())
	waitMsgs(t, js, "IN", 1)
	must(t, bm[2].AckSync())
	waitMsgs(t, js, "IN", 0)
}

func TestJSFetchEmptyStream(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "EMPTY", Subjects: []string{"empty"}})
	sub, err := js.PullSubscribe("empty", "e")
	must(t, err)
	for _, batch := range []int{1, 10} {
		start := time.Now()
		msgs, err := sub.Fetch(batch, nats.MaxWait(300*time.Millisecond))
		el := time.Since(start)
		if err != nats.ErrTimeout || len(msgs) != 0 {
			t.Fatalf("Fetch(%d) on empty stream: %d msgs, %v", batch, len(msgs), err)
		}
		if el > 1500*time.Millisecond {
			t.Fatalf("Fetch(%d) with MaxWait 300ms took %v", batch, el)
		}
	}
	// A message published while a fetch waits (num_waiting 1) is delivered to it.
	go func() {
		for until := time.Now().Add(3 * time.Second); time.Now().Before(until); time.Sleep(5 * time.Millisecond) {
			if ci, err := js.ConsumerInfo("EMPTY", "e"); err == nil && ci.NumWaiting > 0 {
				break
			}
		}
		_, _ = js.Publish("empty", []byte("late"))
	}()
	m := fetch(t, sub, 1, 3*time.Second)[0]
	if string(m.Data) != "late" {
		t.Fatalf("late message %q", m.Data)
	}
}
