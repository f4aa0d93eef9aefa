package spatego

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// A mirror copies every message of its origin, a source copies the filtered part and marks
// where each message came from; both report their lag, and both keep up after a restart.
func TestJSMirrorAndSources(t *testing.T) {
	s, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "ORIGIN", Subjects: []string{"o.>"}})
	addStream(t, js, &nats.StreamConfig{Name: "MIRROR", Mirror: &nats.StreamSource{Name: "ORIGIN"}})
	addStream(t, js, &nats.StreamConfig{Name: "SOURCED", Sources: []*nats.StreamSource{{Name: "ORIGIN", FilterSubject: "o.x"}}})
	for i := 0; i < 10; i++ {
		publish(t, js, "o.x", fmt.Sprintf("x%d", i))
		publish(t, js, "o.y", fmt.Sprintf("y%d", i))
	}
	waitMsgs(t, js, "MIRROR", 20)
	waitMsgs(t, js, "SOURCED", 10)
	m, err := js.GetMsg("MIRROR", 2)
	must(t, err)
	if m.Subject != "o.y" || string(m.Data) != "y0" {
		t.Fatalf("mirror seq 2: %s %q", m.Subject, m.Data)
	}
	m, err = js.GetMsg("SOURCED", 10)
	must(t, err)
	if m.Subject != "o.x" || string(m.Data) != "x9" {
		t.Fatalf("sourced seq 10: %s %q", m.Subject, m.Data)
	}
	if got := m.Header.Get("Nats-Stream-Source"); got == "" {
		t.Fatalf("sourced message has no Nats-Stream-Source header: %v", m.Header)
	}
	waitFor(t, 5*time.Second, func() bool {
		mi, si := streamInfo(t, js, "MIRROR"), streamInfo(t, js, "SOURCED")
		return mi.Mirror != nil && mi.Mirror.Lag == 0 && mi.Mirror.Name == "ORIGIN" &&
			len(si.Sources) == 1 && si.Sources[0].Lag == 0 && si.Sources[0].Name == "ORIGIN"
	}, "mirror and source report no lag")

	// Restart: positions are kept, nothing is copied twice, new messages still flow.
	s = s.restart(t)
	_, js = jsConnect(t, s)
	publish(t, js, "o.x", "after")
	waitMsgs(t, js, "MIRROR", 21)
	waitMsgs(t, js, "SOURCED", 11)
	wantState(t, js, "MIRROR", 21, 1, 21)
	wantState(t, js, "SOURCED", 11, 1, 11)
}

// RePublish forwards every stored message with the stream's headers.
func TestJSRePublish(t *testing.T) {
	_, nc, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "RP", Subjects: []string{"rp.>"},
		RePublish: &nats.RePublish{Source: "rp.>", Destination: "copy.rp.>"}})
	sub, err := nc.SubscribeSync("copy.>")
	must(t, err)
	must(t, nc.Flush())
	publish(t, js, "rp.a", "one")
	publish(t, js, "rp.b", "two")
	publish(t, js, "rp.a", "three")
	// Nats-Last-Sequence is the previous message's sequence on the same subject (0: none).
	for i, want := range []struct{ subj, data, last string }{
		{"copy.rp.a", "one", "0"}, {"copy.rp.b", "two", "0"}, {"copy.rp.a", "three", "1"}} {
		m, err := sub.NextMsg(2 * time.Second)
		must(t, err)
		if m.Subject != want.subj || string(m.Data) != want.data {
			t.Fatalf("republished %d: %s %q", i, m.Subject, m.Data)
		}
		if m.Header.Get("Nats-Stream") != "RP" || m.Header.Get("Nats-Sequence") != fmt.Sprint(i+1) ||
			m.Header.Get("Nats-Subject") != want.subj[5:] || m.Header.Get("Nats-Last-Sequence") != want.last {
			t.Fatalf("republished %d headers: %v", i, m.Header)
		}
	}
}

// A 2.10 subject transform (not in nats.go 1.22's StreamConfig, so through the raw API) changes
// the subject a message is stored under.
func TestJSSubjectTransform(t *testing.T) {
	_, nc, js := startJS(t)
	if serverBefore(nc, 2, 10) {
		t.Skip("subject_transform is new in nats-server 2.10")
	}
	cfg := `{"name":"TR","subjects":["in.*.*"],"subject_transform":{"src":"in.*.*","dest":"out.$2.$1"}}`
	resp, err := nc.Request("$JS.API.STREAM.CREATE.TR", []byte(cfg), 5*time.Second)
	must(t, err)
	var r struct {
		Error *struct{ Description string } `json:"error"`
	}
	must(t, json.Unmarshal(resp.Data, &r))
	if r.Error != nil {
		t.Fatalf("create: %s", r.Error.Description)
	}
	publish(t, js, "in.eu.orders", "x")
	m, err := js.GetMsg("TR", 1)
	must(t, err)
	if m.Subject != "out.orders.eu" {
		t.Fatalf("stored under %q, want out.orders.eu", m.Subject)
	}
}
