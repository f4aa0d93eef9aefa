package spatego

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

func TestJSStreamCreateInfoUpdate(t *testing.T) {
	_, _, js := startJS(t)
	si := addStream(t, js, &nats.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}})
	c := si.Config
	if c.Name != "ORDERS" || !reflect.DeepEqual(c.Subjects, []string{"orders.>"}) {
		t.Fatalf("created config name/subjects: %q %v", c.Name, c.Subjects)
	}
	// Server-side defaults as nats-server fills them in.
	if c.Retention != nats.LimitsPolicy || c.Storage != nats.FileStorage || c.Discard != nats.DiscardOld ||
		c.Replicas != 1 || c.MaxMsgs != -1 || c.MaxBytes != -1 || c.MaxAge != 0 || c.MaxMsgsPerSubject != -1 ||
		c.MaxConsumers != -1 || c.MaxMsgSize != -1 || c.Duplicates != 2*time.Minute {
		t.Fatalf("defaults not applied: %+v", c)
	}
	if si.State.Msgs != 0 || si.State.LastSeq != 0 || si.Created.IsZero() {
		t.Fatalf("new stream state %+v created %v", si.State, si.Created)
	}

	publish(t, js, "orders.new", "a")
	publish(t, js, "orders.new", "bb")
	publish(t, js, "orders.paid", "ccc")
	si = wantState(t, js, "ORDERS", 3, 1, 3)
	if si.State.Bytes == 0 || si.State.NumSubjects != 2 || si.State.LastTime.Before(si.State.FirstTime) {
		t.Fatalf("state after 3 publishes: %+v", si.State)
	}
	si = streamInfo(t, js, "ORDERS", &nats.StreamInfoRequest{SubjectsFilter: "orders.>"})
	if want := map[string]uint64{"orders.new": 2, "orders.paid": 1}; !reflect.DeepEqual(si.State.Subjects, want) {
		t.Fatalf("subjects_filter state.subjects = %v, want %v", si.State.Subjects, want)
	}

	// Allowed update: more subjects and a limit.
	upd := si.Config
	upd.Subjects = []string{"orders.>", "returns.>"}
	upd.MaxMsgs = 10
	upd.Description = "orders and returns"
	si, err := js.UpdateStream(&upd)
	must(t, err)
	if !reflect.DeepEqual(si.Config.Subjects, upd.Subjects) || si.Config.MaxMsgs != 10 || si.Config.Description != upd.Description {
		t.Fatalf("updated config: %+v", si.Config)
	}
	if si.State.Msgs != 3 {
		t.Fatalf("update lost messages: %+v", si.State)
	}
	if pa := publish(t, js, "returns.1", "r"); pa.Stream != "ORDERS" || pa.Sequence != 4 {
		t.Fatalf("publish on added subject: %+v", pa)
	}

	// Refused update: storage type can not change (StreamInvalidConfig 10052).
	bad := si.Config
	bad.Storage = nats.MemoryStorage
	_, err = js.UpdateStream(&bad)
	apiErrCode(t, err, 10052, "update storage type")
	if got := streamInfo(t, js, "ORDERS").Config.Storage; got != nats.FileStorage {
		t.Fatalf("storage after refused update: %v", got)
	}
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "NOPE", Subjects: []string{"nope"}})
	if !errors.Is(err, nats.ErrStreamNotFound) {
		t.Fatalf("update of missing stream: %v, want stream not found", err)
	}
}

func TestJSStreamCreateConflicts(t *testing.T) {
	_, _, js := startJS(t)
	cfg := &nats.StreamConfig{Name: "A", Subjects: []string{"a.>"}, MaxMsgs: 100}
	addStream(t, js, cfg)
	publish(t, js, "a.1", "x")
	// Same config again: fine, and it is the same stream (message kept).
	si := addStream(t, js, cfg)
	if si.State.Msgs != 1 {
		t.Fatalf("re-create with same config: state %+v", si.State)
	}
	// Same name, different config: StreamNameExist 10058.
	_, err := js.AddStream(&nats.StreamConfig{Name: "A", Subjects: []string{"a.>"}, MaxMsgs: 5})
	apiErrCode(t, err, 10058, "create A with a different config")
	if !errors.Is(err, nats.ErrStreamNameAlreadyInUse) {
		t.Fatalf("want ErrStreamNameAlreadyInUse, got %v", err)
	}
	// Overlapping subjects with another stream: StreamSubjectOverlap 10065.
	_, err = js.AddStream(&nats.StreamConfig{Name: "B", Subjects: []string{"a.*"}})
	apiErrCode(t, err, 10065, "create B overlapping a.>")
	_, err = js.AddStream(&nats.StreamConfig{Name: "B", Subjects: []string{"b", "a.x.y"}})
	apiErrCode(t, err, 10065, "create B with a.x.y inside a.>")
	// ... and on update.
	addStream(t, js, &nats.StreamConfig{Name: "B", Subjects: []string{"b.>"}})
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "B", Subjects: []string{"b.>", "a.b"}})
	apiErrCode(t, err, 10065, "update B to overlap A")
	_, err = js.StreamInfo("C")
	if !errors.Is(err, nats.ErrStreamNotFound) {
		t.Fatalf("info of missing stream: %v", err)
	}
	apiErrCode(t, err, 10059, "info of missing stream")
}

func TestJSStreamListAndDelete(t *testing.T) {
	_, nc, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "A", Subjects: []string{"a.>"}})
	addStream(t, js, &nats.StreamConfig{Name: "B", Subjects: []string{"b.*", "x.b"}})
	addStream(t, js, &nats.StreamConfig{Name: "C", Subjects: []string{"c"}, Storage: nats.MemoryStorage})
	if got := collect(js.StreamNames()); !reflect.DeepEqual(got, []string{"A", "B", "C"}) {
		t.Fatalf("StreamNames = %v", got)
	}
	var infos []string
	for si := range js.Streams() {
		infos = append(infos, fmt.Sprintf("%s:%v", si.Config.Name, si.Config.Subjects))
	}
	if want := "[A:[a.>] B:[b.* x.b] C:[c]]"; fmt.Sprint(sorted(infos)) != want {
		t.Fatalf("Streams = %v, want %s", sorted(infos), want)
	}
	if got := collect(js.StreamNames(nats.StreamListFilter("x.b"))); !reflect.DeepEqual(got, []string{"B"}) {
		t.Fatalf("StreamNames(filter x.b) = %v", got)
	}
	if got := collect(js.StreamNames(nats.StreamListFilter("a.q.r"))); !reflect.DeepEqual(got, []string{"A"}) {
		t.Fatalf("StreamNames(filter a.q.r) = %v", got)
	}
	if name, err := js.StreamNameBySubject("b.7"); err != nil || name != "B" {
		t.Fatalf("StreamNameBySubject(b.7) = %q, %v", name, err)
	}
	// Raw STREAM.NAMES reply: total counts all streams.
	r, err := nc.Request("$JS.API.STREAM.NAMES", nil, 5*time.Second)
	must(t, err)
	var names struct {
		Type    string   `json:"type"`
		Total   int      `json:"total"`
		Streams []string `json:"streams"`
	}
	must(t, json.Unmarshal(r.Data, &names))
	if names.Type != "io.nats.jetstream.api.v1.stream_names_response" || names.Total != 3 || len(names.Streams) != 3 {
		t.Fatalf("STREAM.NAMES reply %s", r.Data)
	}

	publish(t, js, "b.1", "x")
	must(t, js.DeleteStream("B"))
	if _, err := js.StreamInfo("B"); !errors.Is(err, nats.ErrStreamNotFound) {
		t.Fatalf("info after delete: %v", err)
	}
	if err := js.DeleteStream("B"); !errors.Is(err, nats.ErrStreamNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if got := collect(js.StreamNames()); !reflect.DeepEqual(got, []string{"A", "C"}) {
		t.Fatalf("StreamNames after delete = %v", got)
	}
	// Nothing listens on b.* any more: a JetStream publish gets no responders.
	if _, err := js.Publish("b.1", []byte("x"), nats.RetryAttempts(0)); err != nats.ErrNoStreamResponse {
		t.Fatalf("publish to deleted stream: %v, want %v", err, nats.ErrNoStreamResponse)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestJSStreamPurge(t *testing.T) {
	_, nc, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "P", Subjects: []string{"p.>"}})
	for i := 0; i < 10; i++ { // p.a on odd, p.b on even sequences 1..20
		publish(t, js, "p.a", "a")
		publish(t, js, "p.b", "b")
	}
	purge := func(req string) uint64 {
		t.Helper()
		r, err := nc.Request("$JS.API.STREAM.PURGE.P", []byte(req), 5*time.Second)
		must(t, err)
		var resp struct {
			Success bool           `json:"success"`
			Purged  uint64         `json:"purged"`
			Error   *nats.APIError `json:"error"`
		}
		must(t, json.Unmarshal(r.Data, &resp))
		if !resp.Success || resp.Error != nil {
			t.Fatalf("purge %s: %s", req, r.Data)
		}
		return resp.Purged
	}
	must(t, js.PurgeStream("P", &nats.StreamPurgeRequest{Subject: "p.a"}))
	wantState(t, js, "P", 10, 2, 20)
	if n := purge(`{"filter":"p.b","keep":3}`); n != 7 {
		t.Fatalf("purge p.b keep 3 purged %d, want 7", n)
	}
	wantState(t, js, "P", 3, 16, 20)
	for i := 0; i < 5; i++ { // 21..25
		publish(t, js, "p.c", "c")
	}
	if n := purge(`{"seq":24}`); n != 6 { // everything below 24: 16,18,20,21,22,23
		t.Fatalf("purge seq 24 purged %d, want 6", n)
	}
	wantState(t, js, "P", 2, 24, 25)
	must(t, js.PurgeStream("P", &nats.StreamPurgeRequest{Keep: 1}))
	wantState(t, js, "P", 1, 25, 25)
	if n := purge(""); n != 1 {
		t.Fatalf("purge all purged %d, want 1", n)
	}
	wantState(t, js, "P", 0, 26, 25)
	if pa := publish(t, js, "p.a", "after"); pa.Sequence != 26 {
		t.Fatalf("publish after purge: seq %d, want 26", pa.Sequence)
	}
	if err := js.PurgeStream("NOPE"); !errors.Is(err, nats.ErrStreamNotFound) {
		apiErrCode(t, err, 10059, "purge of missing stream")
	}
}

func TestJSStreamGetMsg(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "G", Subjects: []string{"g.*"}})
	m := nats.NewMsg("g.a")
	m.Header.Set("X-Test", "hdr-value")
	m.Data = []byte("first")
	_, err := js.PublishMsg(m)
	must(t, err)
	publish(t, js, "g.b", "second")
	publish(t, js, "g.a", "third")

	rm, err := js.GetMsg("G", 1)
	must(t, err)
	if rm.Subject != "g.a" || rm.Sequence != 1 || string(rm.Data) != "first" || rm.Header.Get("X-Test") != "hdr-value" || rm.Time.IsZero() {
		t.Fatalf("GetMsg(1) = %+v", rm)
	}
	rm, err = js.GetMsg("G", 2)
	must(t, err)
	if rm.Subject != "g.b" || string(rm.Data) != "second" || len(rm.Header) != 0 {
		t.Fatalf("GetMsg(2) = %+v", rm)
	}
	rm, err = js.GetLastMsg("G", "g.a")
	must(t, err)
	if rm.Sequence != 3 || string(rm.Data) != "third" {
		t.Fatalf("GetLastMsg(g.a) = %+v", rm)
	}
	if _, err := js.GetMsg("G", 99); !errors.Is(err, nats.ErrMsgNotFound) {
		t.Fatalf("GetMsg(99): %v, want message not found", err)
	}
	if _, err := js.GetLastMsg("G", "g.zzz"); !errors.Is(err, nats.ErrMsgNotFound) {
		t.Fatalf("GetLastMsg(g.zzz): %v, want message not found", err)
	}
	if _, err := js.GetMsg("NOPE", 1); !errors.Is(err, nats.ErrStreamNotFound) {
		t.Fatalf("GetMsg on missing stream: %v", err)
	}
}

func TestJSStreamDeleteMsg(t *testing.T) {
	_, nc, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "D", Subjects: []string{"d"}})
	for i := 1; i <= 5; i++ {
		publish(t, js, "d", fmt.Sprint(i))
	}
	must(t, js.DeleteMsg("D", 2))
	must(t, js.SecureDeleteMsg("D", 4))
	si := streamInfo(t, js, "D", &nats.StreamInfoRequest{DeletedDetails: true})
	if st := si.State; st.Msgs != 3 || st.FirstSeq != 1 || st.LastSeq != 5 || st.NumDeleted != 2 || !reflect.DeepEqual(st.Deleted, []uint64{2, 4}) {
		t.Fatalf("state after deleting 2 and 4: %+v", st)
	}
	for _, seq := range []uint64{2, 4} {
		if _, err := js.GetMsg("D", seq); !errors.Is(err, nats.ErrMsgNotFound) {
			t.Fatalf("GetMsg(%d) after delete: %v", seq, err)
		}
	}
	rm, err := js.GetMsg("D", 3)
	must(t, err)
	if string(rm.Data) != "3" {
		t.Fatalf("GetMsg(3) = %q", rm.Data)
	}
	// Deleting the first message moves first_seq.
	must(t, js.DeleteMsg("D", 1))
	wantState(t, js, "D", 2, 3, 5)
	// Deleting it again fails. nats-server 2.9's file store reports StreamMsgDeleteFailed
	// (500 10057 "no message found"); from 2.10 the store returns "not removed" without an error
	// and the API answers SequenceNotFound (400 10043 "sequence 2 not found").
	if serverBefore(nc, 2, 10) {
		ae := apiErrCode(t, js.DeleteMsg("D", 2), 10057, "delete of an already deleted message")
		if ae.Description != "no message found" {
			t.Fatalf("description %q", ae.Description)
		}
	} else {
		ae := apiErrCode(t, js.DeleteMsg("D", 2), 10043, "delete of an already deleted message")
		if ae.Description != "sequence 2 not found" {
			t.Fatalf("description %q", ae.Description)
		}
	}
}

func TestJSPublishPubAckAndDedup(t *testing.T) {
	_, nc, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "DD", Subjects: []string{"dd.>"}})
	for i := uint64(1); i <= 2; i++ {
		if pa := publish(t, js, "dd.x", "m"); pa.Stream != "DD" || pa.Sequence != i || pa.Duplicate {
			t.Fatalf("PubAck %d = %+v", i, pa)
		}
	}
	if pa := publish(t, js, "dd.x", "once", nats.MsgId("id-1")); pa.Sequence != 3 || pa.Duplicate {
		t.Fatalf("first publish of id-1: %+v", pa)
	}
	pa := publish(t, js, "dd.y", "again", nats.MsgId("id-1"))
	if pa.Stream != "DD" || pa.Sequence != 3 || !pa.Duplicate {
		t.Fatalf("second publish of id-1: %+v, want duplicate of seq 3", pa)
	}
	if pa := publish(t, js, "dd.x", "other", nats.MsgId("id-2")); pa.Sequence != 4 || pa.Duplicate {
		t.Fatalf("publish of id-2: %+v", pa)
	}
	wantState(t, js, "DD", 4, 1, 4)
	// A plain core publish (no reply) is stored too.
	must(t, nc.Publish("dd.core", []byte("core")))
	must(t, nc.Flush())
	waitMsgs(t, js, "DD", 5)
	rm, err := js.GetLastMsg("DD", "dd.core")
	must(t, err)
	if rm.Sequence != 5 {
		t.Fatalf("core-published message at seq %d", rm.Sequence)
	}
}

func TestJSPublishExpectations(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "E", Subjects: []string{"e.*"}})
	publish(t, js, "e.a", "1", nats.MsgId("m1"))
	publish(t, js, "e.b", "2", nats.MsgId("m2"))

	_, err := js.Publish("e.a", nil, nats.ExpectLastMsgId("m1"))
	if ae := apiErrCode(t, err, 10070, "ExpectLastMsgId(m1) when last id is m2"); ae.Description != "wrong last msg ID: m2" {
		t.Fatalf("description %q", ae.Description)
	}
	if pa := publish(t, js, "e.a", "3", nats.ExpectLastMsgId("m2"), nats.MsgId("m3")); pa.Sequence != 3 {
		t.Fatalf("ExpectLastMsgId(m2): %+v", pa)
	}

	_, err = js.Publish("e.a", nil, nats.ExpectStream("OTHER"))
	apiErrCode(t, err, 10060, "ExpectStream(OTHER)")
	publish(t, js, "e.a", "4", nats.ExpectStream("E")) // seq 4

	_, err = js.Publish("e.a", nil, nats.ExpectLastSequence(3))
	if ae := apiErrCode(t, err, 10071, "ExpectLastSequence(3) when last is 4"); ae.Description != "wrong last sequence: 4" {
		t.Fatalf("description %q", ae.Description)
	}
	if pa := publish(t, js, "e.a", "5", nats.ExpectLastSequence(4)); pa.Sequence != 5 {
		t.Fatalf("ExpectLastSequence(4): %+v", pa)
	}

	// Per subject: e.b's last is 2, e.a's last is 5, e.c has none.
	_, err = js.Publish("e.b", nil, nats.ExpectLastSequencePerSubject(1))
	if ae := apiErrCode(t, err, 10071, "ExpectLastSequencePerSubject(1) on e.b"); ae.Description != "wrong last sequence: 2" {
		t.Fatalf("description %q", ae.Description)
	}
	_, err = js.Publish("e.b", nil, nats.ExpectLastSequencePerSubject(5))
	apiErrCode(t, err, 10071, "ExpectLastSequencePerSubject(5) on e.b")
	if pa := publish(t, js, "e.b", "6", nats.ExpectLastSequencePerSubject(2)); pa.Sequence != 6 {
		t.Fatalf("ExpectLastSequencePerSubject(2) on e.b: %+v", pa)
	}
	if pa := publish(t, js, "e.c", "7", nats.ExpectLastSequencePerSubject(0)); pa.Sequence != 7 {
		t.Fatalf("ExpectLastSequencePerSubject(0) on new subject e.c: %+v", pa)
	}
	_, err = js.Publish("e.c", nil, nats.ExpectLastSequencePerSubject(0))
	apiErrCode(t, err, 10071, "ExpectLastSequencePerSubject(0) on e.c which has seq 7")
	wantState(t, js, "E", 7, 1, 7)
}

func TestJSAccountInfo(t *testing.T) {
	_, _, js := startJS(t)
	ai, err := js.AccountInfo()
	must(t, err)
	if ai.Streams != 0 || ai.Consumers != 0 || ai.Store != 0 || ai.Memory != 0 {
		t.Fatalf("fresh account: %+v", ai.Tier)
	}
	addStream(t, js, &nats.StreamConfig{Name: "A1", Subjects: []string{"a1"}})
	addStream(t, js, &nats.StreamConfig{Name: "A2", Subjects: []string{"a2"}})
	for _, c := range []struct{ stream, name string }{{"A1", "c1"}, {"A1", "c2"}, {"A2", "c3"}} {
		_, err := js.AddConsumer(c.stream, &nats.ConsumerConfig{Durable: c.name, AckPolicy: nats.AckExplicitPolicy})
		must(t, err)
	}
	publish(t, js, "a1", "hello")
	ai, err = js.AccountInfo()
	must(t, err)
	if ai.Streams != 2 || ai.Consumers != 3 || ai.Store == 0 {
		t.Fatalf("after 2 streams, 3 consumers, 1 message: %+v", ai.Tier)
	}
	if ai.Store != streamInfo(t, js, "A1").State.Bytes {
		t.Fatalf("account store %d != stream A1 bytes", ai.Store)
	}
	must(t, js.DeleteStream("A1"))
	ai, err = js.AccountInfo()
	must(t, err)
	if ai.Streams != 1 || ai.Consumers != 1 || ai.Store != 0 {
		t.Fatalf("after deleting A1: %+v", ai.Tier)
	}
}

func TestJSDirectGet(t *testing.T) {
	_, nc, js := startJS(t)
	si := addStream(t, js, &nats.StreamConfig{Name: "DG", Subjects: []string{"dg.*"}, AllowDirect: true})
	if !si.Config.AllowDirect {
		t.Fatalf("allow_direct not kept")
	}
	publish(t, js, "dg.a", "a1")
	publish(t, js, "dg.b", "b1")
	publish(t, js, "dg.a", "a2")
	publish(t, js, "dg.b", "b2")

	rm, err := js.GetLastMsg("DG", "dg.a", nats.DirectGet())
	must(t, err)
	if rm.Subject != "dg.a" || rm.Sequence != 3 || string(rm.Data) != "a2" || rm.Time.IsZero() || rm.Header.Get(nats.JSStream) != "DG" {
		t.Fatalf("direct last dg.a = %+v", rm)
	}
	rm, err = js.GetMsg("DG", 2, nats.DirectGet())
	must(t, err)
	if rm.Subject != "dg.b" || rm.Sequence != 2 || string(rm.Data) != "b1" {
		t.Fatalf("direct seq 2 = %+v", rm)
	}
	rm, err = js.GetMsg("DG", 2, nats.DirectGetNext("dg.a"))
	must(t, err)
	if rm.Sequence != 3 || string(rm.Data) != "a2" {
		t.Fatalf("direct next dg.a from 2 = %+v", rm)
	}
	if _, err := js.GetLastMsg("DG", "dg.zz", nats.DirectGet()); !errors.Is(err, nats.ErrMsgNotFound) {
		t.Fatalf("direct last of empty subject: %v", err)
	}
	if _, err := js.GetMsg("DG", 50, nats.DirectGet()); !errors.Is(err, nats.ErrMsgNotFound) {
		t.Fatalf("direct get of seq 50: %v", err)
	}
	// Raw: status 404 with no payload for a missing message.
	r, err := nc.Request("$JS.API.DIRECT.GET.DG", []byte(`{"seq":50}`), 5*time.Second)
	must(t, err)
	if st := r.Header.Get("Status"); st != "404" || len(r.Data) != 0 {
		t.Fatalf("raw direct get of seq 50: status %q data %q", st, r.Data)
	}
	// A stream without allow_direct does not answer direct gets (nats-server 2.9 leaves the
	// request unanswered; no responders would be as good).
	addStream(t, js, &nats.StreamConfig{Name: "NODG", Subjects: []string{"nodg"}})
	publish(t, js, "nodg", "x")
	rm, err = js.GetLastMsg("NODG", "nodg", nats.DirectGet(), nats.MaxWait(300*time.Millisecond))
	if rm != nil || !(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrNoResponders)) {
		t.Fatalf("direct get on stream without allow_direct: %+v, %v; want no answer", rm, err)
	}
}

// Creating, updating and deleting streams and consumers publishes nats-server's action
// advisories on $JS.EVENT.ADVISORY.
func TestJSLifecycleAdvisories(t *testing.T) {
	_, nc, js := startJS(t)
	adv, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.>")
	must(t, err)
	must(t, nc.Flush())
	addStream(t, js, &nats.StreamConfig{Name: "LC", Subjects: []string{"lc"}})
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "LC", Subjects: []string{"lc", "lc2"}})
	must(t, err)
	_, err = js.AddConsumer("LC", &nats.ConsumerConfig{Durable: "d", AckPolicy: nats.AckExplicitPolicy})
	must(t, err)
	must(t, js.DeleteConsumer("LC", "d"))
	must(t, js.DeleteStream("LC"))
	want := []struct{ subject, typ, action string }{
		{"$JS.EVENT.ADVISORY.STREAM.CREATED.LC", "io.nats.jetstream.advisory.v1.stream_action", "create"},
		{"$JS.EVENT.ADVISORY.STREAM.UPDATED.LC", "io.nats.jetstream.advisory.v1.stream_action", "modify"},
		{"$JS.EVENT.ADVISORY.CONSUMER.CREATED.LC.d", "io.nats.jetstream.advisory.v1.consumer_action", "create"},
		{"$JS.EVENT.ADVISORY.CONSUMER.DELETED.LC.d", "io.nats.jetstream.advisory.v1.consumer_action", "delete"},
		{"$JS.EVENT.ADVISORY.STREAM.DELETED.LC", "io.nats.jetstream.advisory.v1.stream_action", "delete"},
	}
	got := map[string]string{}
	deadline := time.Now().Add(3 * time.Second)
	for len(got) < len(want) && time.Now().Before(deadline) {
		m, err := adv.NextMsg(time.Until(deadline))
		if err != nil {
			break
		}
		var a struct {
			Type, Stream, Action string
		}
		must(t, json.Unmarshal(m.Data, &a))
		// nats-server also audits every API call on $JS.EVENT.ADVISORY.API; only actions count.
		if a.Type == "io.nats.jetstream.advisory.v1.stream_action" || a.Type == "io.nats.jetstream.advisory.v1.consumer_action" {
			if a.Stream != "LC" {
				t.Fatalf("advisory %s names stream %q", m.Subject, a.Stream)
			}
			got[m.Subject] = a.Type + " " + a.Action
		}
	}
	for _, w := range want {
		if got[w.subject] != w.typ+" "+w.action {
			t.Errorf("%s: got %q, want %q", w.subject, got[w.subject], w.typ+" "+w.action)
		}
	}
}
