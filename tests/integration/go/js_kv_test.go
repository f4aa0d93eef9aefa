package spatego

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

func TestJSKVPutGetUpdateCreate(t *testing.T) {
	_, _, js := startJS(t)
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "cfg", History: 5})
	must(t, err)
	si := streamInfo(t, js, "KV_cfg")
	if c := si.Config; !reflect.DeepEqual(c.Subjects, []string{"$KV.cfg.>"}) || c.MaxMsgsPerSubject != 5 || !c.AllowRollup ||
		!c.DenyDelete || !c.AllowDirect || c.Discard != nats.DiscardNew {
		t.Fatalf("KV stream config %+v", c)
	}
	rev, err := kv.Put("a", []byte("1"))
	must(t, err)
	if rev != 1 {
		t.Fatalf("first put revision %d", rev)
	}
	e, err := kv.Get("a")
	must(t, err)
	if e.Key() != "a" || string(e.Value()) != "1" || e.Revision() != 1 || e.Operation() != nats.KeyValuePut || e.Bucket() != "cfg" || e.Created().IsZero() {
		t.Fatalf("Get(a) = %+v", e)
	}
	rev, err = kv.Update("a", []byte("2"), 1)
	must(t, err)
	if rev != 2 {
		t.Fatalf("update revision %d", rev)
	}
	_, err = kv.Update("a", []byte("3"), 1)
	apiErrCode(t, err, 10071, "update with stale revision")
	if _, err := kv.Create("a", []byte("x")); !errors.Is(err, nats.ErrKeyExists) {
		t.Fatalf("Create on existing key: %v, want key exists", err)
	}
	rev, err = kv.Create("b", []byte("B"))
	must(t, err)
	if rev != 3 {
		t.Fatalf("create b revision %d", rev)
	}
	e, err = kv.Get("a")
	must(t, err)
	if string(e.Value()) != "2" || e.Revision() != 2 {
		t.Fatalf("Get(a) after updates = %q rev %d", e.Value(), e.Revision())
	}
	e, err = kv.GetRevision("a", 1)
	must(t, err)
	if string(e.Value()) != "1" {
		t.Fatalf("GetRevision(a, 1) = %q", e.Value())
	}
	if _, err := kv.Get("missing"); err != nats.ErrKeyNotFound {
		t.Fatalf("Get(missing): %v", err)
	}
	st, err := kv.Status()
	must(t, err)
	if st.Bucket() != "cfg" || st.Values() != 3 || st.History() != 5 {
		t.Fatalf("status bucket=%s values=%d history=%d", st.Bucket(), st.Values(), st.History())
	}
	// Binding by name sees the same data.
	kv2, err := js.KeyValue("cfg")
	must(t, err)
	if e, err := kv2.Get("b"); err != nil || string(e.Value()) != "B" {
		t.Fatalf("KeyValue(cfg).Get(b) = %v, %v", e, err)
	}
}

func TestJSKVDeletePurgeHistoryKeys(t *testing.T) {
	_, _, js := startJS(t)
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "h", History: 10})
	must(t, err)
	if _, err := kv.Keys(); err != nats.ErrNoKeysFound {
		t.Fatalf("Keys on empty bucket: %v", err)
	}
	for _, v := range []string{"1", "2", "3"} {
		_, err := kv.PutString("a", v)
		must(t, err)
	}
	hist, err := kv.History("a")
	must(t, err)
	if len(hist) != 3 || string(hist[0].Value()) != "1" || string(hist[2].Value()) != "3" || hist[2].Revision() != 3 {
		t.Fatalf("history of a: %d entries", len(hist))
	}
	must(t, kv.Delete("a"))
	if _, err := kv.Get("a"); err != nats.ErrKeyNotFound {
		t.Fatalf("Get after delete: %v", err)
	}
	hist, err = kv.History("a")
	must(t, err)
	if len(hist) != 4 || hist[3].Operation() != nats.KeyValueDelete || hist[3].Revision() != 4 {
		t.Fatalf("history after delete: %d entries, last op %v", len(hist), hist[len(hist)-1].Operation())
	}
	rev, err := kv.Create("a", []byte("again")) // allowed over a delete marker
	must(t, err)
	if rev != 5 {
		t.Fatalf("create after delete: revision %d", rev)
	}
	_, err = kv.PutString("b", "b")
	must(t, err)
	_, err = kv.PutString("c", "c")
	must(t, err)
	must(t, kv.Purge("a")) // rollup: only the purge marker stays
	hist, err = kv.History("a")
	must(t, err)
	if len(hist) != 1 || hist[0].Operation() != nats.KeyValuePurge {
		t.Fatalf("history after purge: %d entries", len(hist))
	}
	if _, err := kv.Get("a"); err != nats.ErrKeyNotFound {
		t.Fatalf("Get after purge: %v", err)
	}
	keys, err := kv.Keys()
	must(t, err)
	sort.Strings(keys)
	if !reflect.DeepEqual(keys, []string{"b", "c"}) {
		t.Fatalf("Keys = %v", keys)
	}
	if si := streamInfo(t, js, "KV_h"); si.State.Msgs != 3 { // b, c and a's purge marker
		t.Fatalf("stream holds %d messages, want 3", si.State.Msgs)
	}
}

func TestJSKVWatch(t *testing.T) {
	_, _, js := startJS(t)
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "w"})
	must(t, err)
	_, err = kv.PutString("a", "1")
	must(t, err)
	_, err = kv.PutString("b", "2")
	must(t, err)
	w, err := kv.WatchAll()
	must(t, err)
	defer w.Stop()
	next := func() nats.KeyValueEntry {
		t.Helper()
		select {
		case e := <-w.Updates():
			return e
		case <-time.After(3 * time.Second):
			t.Fatalf("no watch update within 3s")
		}
		return nil
	}
	for _, want := range []string{"a=1", "b=2"} {
		e := next()
		if e == nil || e.Key()+"="+string(e.Value()) != want {
			t.Fatalf("initial value %v, want %s", e, want)
		}
	}
	if e := next(); e != nil {
		t.Fatalf("want nil marker after initial values, got %s", e.Key())
	}
	wb, err := kv.Watch("b")
	must(t, err)
	defer wb.Stop()
	select {
	case e := <-wb.Updates():
		if e == nil || string(e.Value()) != "2" {
			t.Fatalf("Watch(b) initial %v", e)
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("Watch(b): no initial value")
	}

	_, err = kv.PutString("c", "3")
	must(t, err)
	if e := next(); e == nil || e.Key() != "c" || string(e.Value()) != "3" || e.Revision() != 3 || e.Operation() != nats.KeyValuePut {
		t.Fatalf("update for c: %+v", e)
	}
	must(t, kv.Delete("a"))
	if e := next(); e == nil || e.Key() != "a" || e.Operation() != nats.KeyValueDelete {
		t.Fatalf("update for delete a: %+v", e)
	}
	_, err = kv.PutString("b", "22")
	must(t, err)
	if e := next(); e == nil || e.Key() != "b" || string(e.Value()) != "22" {
		t.Fatalf("update for b: %+v", e)
	}
	for _, want := range []string{"<nil>", "22"} { // Watch(b): end-of-initial marker, then the update
		select {
		case e := <-wb.Updates():
			got := "<nil>"
			if e != nil {
				got = string(e.Value())
			}
			if got != want {
				t.Fatalf("Watch(b) got %s, want %s", got, want)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("Watch(b): nothing within 3s, want %s", want)
		}
	}
}

func TestJSKVBucketLifecycle(t *testing.T) {
	_, _, js := startJS(t)
	_, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "one"})
	must(t, err)
	_, err = js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "two", Storage: nats.MemoryStorage})
	must(t, err)
	// nats.go 1.22 returns the stream names (KV_<bucket>) here.
	if got := collect(js.KeyValueStoreNames()); !reflect.DeepEqual(got, []string{"KV_one", "KV_two"}) {
		t.Fatalf("KeyValueStoreNames = %v", got)
	}
	must(t, js.DeleteKeyValue("one"))
	if _, err := js.KeyValue("one"); err != nats.ErrBucketNotFound {
		t.Fatalf("KeyValue after delete: %v", err)
	}
	if _, err := js.StreamInfo("KV_one"); !errors.Is(err, nats.ErrStreamNotFound) {
		t.Fatalf("stream after bucket delete: %v", err)
	}
	if got := collect(js.KeyValueStoreNames()); !reflect.DeepEqual(got, []string{"KV_two"}) {
		t.Fatalf("KeyValueStoreNames after delete = %v", got)
	}
}

func TestJSObjectStore(t *testing.T) {
	_, _, js := startJS(t)
	obs, err := js.CreateObjectStore(&nats.ObjectStoreConfig{Bucket: "files"})
	must(t, err)
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>9)
	}
	info, err := obs.PutBytes("big.bin", big)
	must(t, err)
	sum := sha256.Sum256(big)
	if info.Size != 1<<20 || info.Chunks != 8 || info.Bucket != "files" ||
		info.Digest != "SHA-256="+base64.URLEncoding.EncodeToString(sum[:]) {
		t.Fatalf("put info: size=%d chunks=%d bucket=%s digest=%s", info.Size, info.Chunks, info.Bucket, info.Digest)
	}
	_, err = obs.PutString("small.txt", "hello")
	must(t, err)

	got, err := obs.GetBytes("big.bin")
	must(t, err)
	if !bytes.Equal(got, big) {
		t.Fatalf("GetBytes(big.bin): %d bytes, differs from the 1 MiB put", len(got))
	}
	if s, err := obs.GetString("small.txt"); err != nil || s != "hello" {
		t.Fatalf("GetString(small.txt) = %q, %v", s, err)
	}
	gi, err := obs.GetInfo("big.bin")
	must(t, err)
	if gi.Size != info.Size || gi.Digest != info.Digest || gi.NUID != info.NUID {
		t.Fatalf("GetInfo = %+v", gi)
	}
	names := func() []string {
		t.Helper()
		list, err := obs.List()
		must(t, err)
		var out []string
		for _, o := range list {
			out = append(out, o.Name)
		}
		sort.Strings(out)
		return out
	}
	if got := names(); !reflect.DeepEqual(got, []string{"big.bin", "small.txt"}) {
		t.Fatalf("List = %v", got)
	}
	// 8 chunks + 1 meta for big, 1 chunk + 1 meta for small.
	if si := streamInfo(t, js, "OBJ_files"); si.State.Msgs != 11 {
		t.Fatalf("object stream holds %d messages, want 11", si.State.Msgs)
	}

	must(t, obs.Delete("big.bin"))
	if _, err := obs.GetBytes("big.bin"); err != nats.ErrObjectNotFound {
		t.Fatalf("GetBytes after delete: %v", err)
	}
	if got := names(); !reflect.DeepEqual(got, []string{"small.txt"}) {
		t.Fatalf("List after delete = %v", got)
	}
	// Delete purges the chunks: left are small's chunk+meta and big's deleted-meta.
	if si := streamInfo(t, js, "OBJ_files"); si.State.Msgs != 3 {
		t.Fatalf("object stream holds %d messages after delete, want 3", si.State.Msgs)
	}
	must(t, js.DeleteObjectStore("files"))
	if _, err := js.ObjectStore("files"); !errors.Is(err, nats.ErrStreamNotFound) {
		t.Fatalf("ObjectStore after delete: %v", err)
	}
}
