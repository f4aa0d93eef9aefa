package spatego

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

func TestJSStreamMaxMsgsDiscardOld(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "L", Subjects: []string{"l"}, MaxMsgs: 5})
	for i := 1; i <= 8; i++ {
		publish(t, js, "l", fmt.Sprint(i))
	}
	wantState(t, js, "L", 5, 4, 8)
	rm, err := js.GetMsg("L", 4)
	must(t, err)
	if string(rm.Data) != "4" {
		t.Fatalf("oldest kept message %q", rm.Data)
	}
}

func TestJSStreamMaxMsgsDiscardNew(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "N", Subjects: []string{"n"}, MaxMsgs: 3, Discard: nats.DiscardNew})
	for i := 1; i <= 3; i++ {
		publish(t, js, "n", fmt.Sprint(i))
	}
	_, err := js.Publish("n", []byte("4"))
	ae := apiErrCode(t, err, 10077, "publish over max_msgs with discard new")
	if !strings.Contains(ae.Description, "maximum messages exceeded") {
		t.Fatalf("description %q", ae.Description)
	}
	wantState(t, js, "N", 3, 1, 3)
}

func TestJSStreamMaxMsgsPerSubject(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "PS", Subjects: []string{"ps.*"}, MaxMsgsPerSubject: 2})
	publish(t, js, "ps.a", "a1") // 1, dropped by 4
	publish(t, js, "ps.a", "a2") // 2
	publish(t, js, "ps.b", "b1") // 3
	publish(t, js, "ps.a", "a3") // 4
	si := wantState(t, js, "PS", 3, 2, 4)
	if si.State.NumSubjects != 2 {
		t.Fatalf("num_subjects %d", si.State.NumSubjects)
	}
	if _, err := js.GetMsg("PS", 1); !errors.Is(err, nats.ErrMsgNotFound) {
		t.Fatalf("seq 1 should be gone: %v", err)
	}
}

func TestJSStreamMaxMsgSize(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "SZ", Subjects: []string{"sz"}, MaxMsgSize: 100})
	publish(t, js, "sz", strings.Repeat("x", 100))
	_, err := js.Publish("sz", []byte(strings.Repeat("x", 101)))
	apiErrCode(t, err, 10054, "publish of 101 bytes with max_msg_size 100")
	wantState(t, js, "SZ", 1, 1, 1)
}

func TestJSStreamMaxAge(t *testing.T) {
	_, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "AGE", Subjects: []string{"age"}, MaxAge: time.Second})
	start := time.Now()
	for i := 0; i < 3; i++ {
		publish(t, js, "age", "x")
	}
	wantState(t, js, "AGE", 3, 1, 3)
	waitMsgs(t, js, "AGE", 0)
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Fatalf("messages expired after %v, before max_age 1s", el)
	}
	wantState(t, js, "AGE", 0, 4, 3)
}

func TestJSStreamMemoryStorage(t *testing.T) {
	_, _, js := startJS(t)
	si := addStream(t, js, &nats.StreamConfig{Name: "MEM", Subjects: []string{"mem"}, Storage: nats.MemoryStorage})
	if si.Config.Storage != nats.MemoryStorage {
		t.Fatalf("storage %v", si.Config.Storage)
	}
	for i := 0; i < 10; i++ {
		publish(t, js, "mem", "0123456789")
	}
	si = wantState(t, js, "MEM", 10, 1, 10)
	ai, err := js.AccountInfo()
	must(t, err)
	if ai.Memory != si.State.Bytes || ai.Memory == 0 || ai.Store != 0 {
		t.Fatalf("account memory=%d store=%d, stream bytes %d", ai.Memory, ai.Store, si.State.Bytes)
	}
}

func TestJSStreamDenyDeleteDenyPurge(t *testing.T) {
	_, _, js := startJS(t)
	si := addStream(t, js, &nats.StreamConfig{Name: "DENY", Subjects: []string{"deny"}, DenyDelete: true, DenyPurge: true})
	if !si.Config.DenyDelete || !si.Config.DenyPurge {
		t.Fatalf("deny flags not kept: %+v", si.Config)
	}
	publish(t, js, "deny", "1")
	publish(t, js, "deny", "2")
	apiErrCode(t, js.DeleteMsg("DENY", 1), 10057, "delete with deny_delete")
	apiErrCode(t, js.PurgeStream("DENY"), 10110, "purge with deny_purge")
	wantState(t, js, "DENY", 2, 1, 2)
}

func TestJSStreamSealed(t *testing.T) {
	_, _, js := startJS(t)
	_, err := js.AddStream(&nats.StreamConfig{Name: "S0", Subjects: []string{"s0"}, Sealed: true})
	apiErrCode(t, err, 10052, "create sealed")
	si := addStream(t, js, &nats.StreamConfig{Name: "SEAL", Subjects: []string{"seal"}})
	publish(t, js, "seal", "1")
	publish(t, js, "seal", "2")
	cfg := si.Config
	cfg.Sealed = true
	si, err = js.UpdateStream(&cfg)
	must(t, err)
	// Sealing also sets deny_delete and deny_purge.
	if !si.Config.Sealed || !si.Config.DenyDelete || !si.Config.DenyPurge {
		t.Fatalf("sealed config: %+v", si.Config)
	}
	_, err = js.Publish("seal", []byte("3"))
	apiErrCode(t, err, 10109, "publish to sealed stream")
	apiErrCode(t, js.DeleteMsg("SEAL", 1), 10109, "delete from sealed stream")
	apiErrCode(t, js.PurgeStream("SEAL"), 10109, "purge of sealed stream")
	cfg = si.Config
	cfg.Sealed = false
	_, err = js.UpdateStream(&cfg)
	apiErrCode(t, err, 10052, "unseal")
	wantState(t, js, "SEAL", 2, 1, 2)
}

func TestJSStreamPersistsAcrossRestart(t *testing.T) {
	s, _, js := startJS(t)
	addStream(t, js, &nats.StreamConfig{Name: "PER", Subjects: []string{"per.*"}})
	for i := 1; i <= 100; i++ {
		m := nats.NewMsg(fmt.Sprintf("per.%d", i%7))
		m.Header.Set("N", fmt.Sprint(i))
		m.Data = []byte(fmt.Sprintf("payload-%03d", i))
		opts := []nats.PubOpt{}
		if i == 100 {
			opts = append(opts, nats.MsgId("last-one"))
		}
		if _, err := js.PublishMsg(m, opts...); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	must(t, js.DeleteMsg("PER", 50))
	before := streamInfo(t, js, "PER").State
	if before.Msgs != 99 || before.LastSeq != 100 || before.NumDeleted != 1 {
		t.Fatalf("state before restart: %+v", before)
	}

	s = s.restart(t)
	_, js = jsConnect(t, s)
	after := streamInfo(t, js, "PER").State
	if before.Msgs != after.Msgs || before.Bytes != after.Bytes || before.FirstSeq != after.FirstSeq ||
		before.LastSeq != after.LastSeq || before.NumDeleted != after.NumDeleted || before.NumSubjects != after.NumSubjects ||
		!before.FirstTime.Equal(after.FirstTime) || !before.LastTime.Equal(after.LastTime) {
		t.Fatalf("state changed across restart:\nbefore %+v\nafter  %+v", before, after)
	}
	for _, seq := range []uint64{1, 49, 51, 100} {
		rm, err := js.GetMsg("PER", seq)
		must(t, err)
		if want := fmt.Sprintf("payload-%03d", seq); string(rm.Data) != want || rm.Header.Get("N") != fmt.Sprint(seq) ||
			rm.Subject != fmt.Sprintf("per.%d", seq%7) {
			t.Fatalf("after restart seq %d: %s %q %v", seq, rm.Subject, rm.Data, rm.Header)
		}
	}
	if _, err := js.GetMsg("PER", 50); !errors.Is(err, nats.ErrMsgNotFound) {
		t.Fatalf("deleted seq 50 after restart: %v", err)
	}
	// The dedup window is rebuilt from the stored messages.
	if pa := publish(t, js, "per.x", "dup", nats.MsgId("last-one")); !pa.Duplicate || pa.Sequence != 100 {
		t.Fatalf("msg id from before restart: %+v, want duplicate of 100", pa)
	}
	if pa := publish(t, js, "per.x", "new"); pa.Sequence != 101 {
		t.Fatalf("first publish after restart: %+v", pa)
	}
}

// The server-wide max_file_store bounds what file streams may reserve (create) and hold (publish).
func TestJSServerStorageLimit(t *testing.T) {
	dir := t.TempDir()
	conf := dir + "/js.conf"
	must(t, os.WriteFile(conf, []byte("jetstream {\n  store_dir: \""+dir+"/store\"\n  max_file_store: 64KB\n}\n"), 0o644))
	s := startServerIn(t, dir, "-c", conf)
	_, js := jsConnect(t, s)
	_, err := js.AddStream(&nats.StreamConfig{Name: "BIG", Subjects: []string{"big"}, MaxBytes: 1 << 20})
	apiErrCode(t, err, 10047, "stream reserving more than max_file_store")
	addStream(t, js, &nats.StreamConfig{Name: "FILL", Subjects: []string{"fill"}})
	payload := make([]byte, 1024)
	var perr error
	n := 0
	for ; n < 200 && perr == nil; n++ {
		_, perr = js.Publish("fill", payload)
	}
	if perr == nil {
		t.Fatalf("200 KiB went into a 64 KiB store")
	}
	apiErrCode(t, perr, 10023, "publish past max_file_store")
	// The check is made before each message, so the last one accepted may cross the limit.
	if si := streamInfo(t, js, "FILL"); si.State.Bytes > 64*1024+2048 || si.State.Msgs != uint64(n-1) {
		t.Fatalf("stream holds %d msgs / %d bytes after %d acks", si.State.Msgs, si.State.Bytes, n-1)
	}
}
