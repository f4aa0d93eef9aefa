package spatego

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// pendingModel is what the stream holds (sequence -> subject), kept by the test.
type pendingModel map[uint64]string

func (m pendingModel) matching(filter string, after uint64) []uint64 {
	var seqs []uint64
	for seq, subj := range m {
		if seq > after && (filter == "" || subjectMatches(subj, filter)) {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs
}

// subjectMatches is NATS wildcard matching (`*` one token, `>` the rest).
func subjectMatches(subject, filter string) bool {
	st, ft := splitTokens(subject), splitTokens(filter)
	for i, f := range ft {
		if f == ">" {
			return len(st) > i
		}
		if i >= len(st) || (f != "*" && f != st[i]) {
			return false
		}
	}
	return len(st) == len(ft)
}

func splitTokens(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// The pending count a consumer reports (in the ack subject of each message and in its info) must
// follow every change to the stream: appends on subjects it wants and others, its own deliveries,
// deleted messages before and after its position, filtered purges and per-subject limits. Random
// operations against a model of the stream; unfiltered, wildcard, literal and catch-all filters.
func TestJSPendingCountFollowsRandomChanges(t *testing.T) {
	_, nc, js := startJS(t)
	// nats-server 2.9 counts interior deletes as pending for an unfiltered consumer and moves
	// every consumer past a filtered purge (nats-server#3838): it gets appends and deliveries only.
	removals := !serverBefore(nc, 2, 10)
	perSubject := int64(-1)
	if removals {
		perSubject = 30
	}
	addStream(t, js, &nats.StreamConfig{Name: "PC", Subjects: []string{"pc.>"}, MaxMsgsPerSubject: perSubject})
	subjects := []string{"pc.a.x", "pc.a.y", "pc.b", "pc.c.d"}
	type consumer struct {
		name, filter string
		sub          *nats.Subscription
		pos          uint64 // last stream sequence delivered
	}
	consumers := []*consumer{{filter: ""}, {filter: "pc.a.*"}, {filter: "pc.b"}, {filter: "pc.>"}}
	for i, c := range consumers {
		c.name = fmt.Sprintf("pc%d", i)
		_, err := js.AddConsumer("PC", &nats.ConsumerConfig{Durable: c.name, AckPolicy: nats.AckExplicitPolicy, FilterSubject: c.filter})
		must(t, err)
		c.sub, err = js.PullSubscribe(c.filter, c.name, nats.Bind("PC", c.name))
		must(t, err)
	}
	model := pendingModel{}
	rng := rand.New(rand.NewSource(7))
	checkInfo := func(c *consumer, step int) {
		t.Helper()
		ci := consumerInfo(t, js, "PC", c.name)
		if want := uint64(len(model.matching(c.filter, c.pos))); ci.NumPending != want {
			t.Fatalf("step %d: %s (filter %q) num_pending %d, want %d", step, c.name, c.filter, ci.NumPending, want)
		}
	}
	for step := 0; step < 700; step++ {
		switch dice := rng.Intn(20); {
		case dice < 10:
			subj := subjects[rng.Intn(len(subjects))]
			ack := publish(t, js, subj, "x")
			model[ack.Sequence] = subj
			if same := model.matching(subj, 0); perSubject > 0 && len(same) > int(perSubject) {
				delete(model, same[0]) // max_msgs_per_subject drops that subject's oldest
			}
		case dice < 15:
			c := consumers[rng.Intn(len(consumers))]
			want := model.matching(c.filter, c.pos)
			n := 1 + rng.Intn(4)
			if n > len(want) {
				n = len(want)
			}
			if n == 0 {
				continue
			}
			for i, m := range fetch(t, c.sub, n, 5*time.Second) {
				md := meta(t, m)
				if md.Sequence.Stream != want[i] {
					t.Fatalf("step %d: %s got seq %d, want %d", step, c.name, md.Sequence.Stream, want[i])
				}
				if left := uint64(len(want) - i - 1); md.NumPending != left {
					t.Fatalf("step %d: %s seq %d says %d pending, want %d", step, c.name, want[i], md.NumPending, left)
				}
				must(t, m.AckSync())
				c.pos = want[i]
			}
		case dice < 17:
			if len(model) == 0 || !removals {
				continue
			}
			all := model.matching("", 0)
			seq := all[rng.Intn(len(all))]
			must(t, js.DeleteMsg("PC", seq))
			delete(model, seq)
		case dice < 18 && removals:
			subj := subjects[rng.Intn(len(subjects))]
			must(t, js.PurgeStream("PC", &nats.StreamPurgeRequest{Subject: subj}))
			for _, seq := range model.matching(subj, 0) {
				delete(model, seq)
			}
		default:
			checkInfo(consumers[rng.Intn(len(consumers))], step)
		}
	}
	for _, c := range consumers {
		checkInfo(c, 700)
	}
}
