package spatego

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// tlsFiles are PEM files made for one test: a CA, a server certificate for 127.0.0.1 and
// localhost, and a client certificate, all signed by the CA.
type tlsFiles struct {
	dir                       string
	ca, serverCert, serverKey string
	clientCert, clientKey     string
	caPool                    *x509.CertPool
	clientPair                tls.Certificate
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	must(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600))
}

// makeTLSFiles generates the certificates with crypto/x509 (no external tools).
func makeTLSFiles(t *testing.T) *tlsFiles {
	t.Helper()
	dir := t.TempDir()
	f := &tlsFiles{dir: dir}
	now := time.Now()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(t, err)
		return k
	}
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Spate Test CA", Organization: []string{"Spate"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	must(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	must(t, err)
	f.ca = filepath.Join(dir, "ca.pem")
	writePEM(t, f.ca, "CERTIFICATE", caDER)
	f.caPool = x509.NewCertPool()
	f.caPool.AddCert(caCert)

	issue := func(name string, serial int64, tmpl *x509.Certificate) (string, string) {
		key := newKey()
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(24*time.Hour)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		must(t, err)
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		must(t, err)
		certPath, keyPath := filepath.Join(dir, name+"-cert.pem"), filepath.Join(dir, name+"-key.pem")
		writePEM(t, certPath, "CERTIFICATE", der)
		writePEM(t, keyPath, "PRIVATE KEY", keyDER)
		return certPath, keyPath
	}
	f.serverCert, f.serverKey = issue("server", 2, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	f.clientCert, f.clientKey = issue("client", 3, &x509.Certificate{
		Subject:        pkix.Name{CommonName: "alice", OrganizationalUnit: []string{"dev"}, Organization: []string{"Acme"}},
		EmailAddresses: []string{"alice@example.com"},
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	f.clientPair, err = tls.LoadX509KeyPair(f.clientCert, f.clientKey)
	must(t, err)
	return f
}

// conf is a server config with a tls block holding the server's files and `extra` settings.
func (f *tlsFiles) conf(extra string) string {
	return fmt.Sprintf("tls {\n  cert_file: %q\n  key_file: %q\n  %s\n}\n", f.serverCert, f.serverKey, extra)
}

// binaryVersion is the `--version` line of the server binary under test.
func binaryVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(serverBinary(t), "--version").CombinedOutput()
	must(t, err)
	return string(out)
}

func isSpateBinary(t *testing.T) bool { return strings.Contains(binaryVersion(t), "spate-server") }

// binaryBefore reports whether the server binary under test is a nats-server older than
// major.minor (spate-server implements everything these tests use).
func binaryBefore(t *testing.T, major, minor int) bool {
	t.Helper()
	out := binaryVersion(t)
	if strings.Contains(out, "spate-server") {
		return false
	}
	m := regexp.MustCompile(`v(\d+)\.(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("cannot read the version in %q", out)
	}
	var ma, mi int
	fmt.Sscanf(m[1]+" "+m[2], "%d %d", &ma, &mi)
	return ma < major || (ma == major && mi < minor)
}

func hostPort(s *testServer) string { return strings.TrimPrefix(s.url, "nats://") }

// readInfo reads the INFO line from r and decodes its JSON.
func readInfo(t *testing.T, r *bufio.Reader) map[string]any {
	t.Helper()
	line, err := r.ReadString('\n')
	must(t, err)
	if !strings.HasPrefix(line, "INFO ") {
		t.Fatalf("first line is not INFO: %q", line)
	}
	info := map[string]any{}
	must(t, json.Unmarshal([]byte(strings.TrimSpace(strings.TrimPrefix(line, "INFO "))), &info))
	return info
}

// plainInfo connects without TLS and returns the INFO the server sends in the clear.
func plainInfo(t *testing.T, s *testServer) map[string]any {
	t.Helper()
	conn, err := net.DialTimeout("tcp", hostPort(s), 5*time.Second)
	must(t, err)
	defer conn.Close()
	must(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	return readInfo(t, bufio.NewReader(conn))
}

// readUntilClosed reads until the server closes the connection; it fails the test if that does
// not happen within `deadline`, and returns what was read.
func readUntilClosed(t *testing.T, conn net.Conn, deadline time.Duration) []byte {
	t.Helper()
	must(t, conn.SetReadDeadline(time.Now().Add(deadline)))
	var got bytes.Buffer
	_, err := io.Copy(&got, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server did not close the connection within %v (read %q)", deadline, got.Bytes())
	}
	return got.Bytes()
}

func TestTLSPubSubAndRequestReply(t *testing.T) {
	f := makeTLSFiles(t)
	s := startWithConfig(t, f.conf(""))
	info := plainInfo(t, s)
	if info["tls_required"] != true {
		t.Fatalf("INFO tls_required = %v, want true: %v", info["tls_required"], info)
	}
	if _, ok := info["tls_verify"]; ok {
		t.Fatalf("INFO has tls_verify without verify: %v", info)
	}

	sub := connect(t, s, nats.RootCAs(f.ca))
	pub := connect(t, s, nats.RootCAs(f.ca))
	if !sub.TLSRequired() {
		t.Fatal("nats.go does not see tls_required")
	}
	state, err := sub.TLSConnectionState()
	must(t, err)
	if !state.HandshakeComplete || state.Version < tls.VersionTLS12 {
		t.Fatalf("TLS state: complete %v version %x", state.HandshakeComplete, state.Version)
	}
	ss, err := sub.SubscribeSync("greet.*")
	must(t, err)
	_, err = sub.Subscribe("svc.echo", func(m *nats.Msg) { _ = m.Respond(append([]byte("echo:"), m.Data...)) })
	must(t, err)
	must(t, sub.Flush())
	must(t, pub.Publish("greet.joe", []byte("hello")))
	m, err := ss.NextMsg(5 * time.Second)
	must(t, err)
	if m.Subject != "greet.joe" || string(m.Data) != "hello" {
		t.Fatalf("got %s %q", m.Subject, m.Data)
	}
	resp, err := pub.Request("svc.echo", []byte("ping"), 5*time.Second)
	must(t, err)
	if string(resp.Data) != "echo:ping" {
		t.Fatalf("reply %q", resp.Data)
	}
}

func TestTLSLargeAndManyMessages(t *testing.T) {
	f := makeTLSFiles(t)
	s := startWithConfig(t, f.conf(""))
	sub := connect(t, s, nats.RootCAs(f.ca))
	pub := connect(t, s, nats.RootCAs(f.ca))

	// 1 MiB (the default max_payload) in both directions: many TLS records and partial writes.
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	_, err := sub.Subscribe("big", func(m *nats.Msg) { _ = m.Respond(m.Data) })
	must(t, err)
	must(t, sub.Flush())
	resp, err := pub.Request("big", big, 10*time.Second)
	must(t, err)
	if !bytes.Equal(resp.Data, big) {
		t.Fatalf("1 MiB round trip changed the payload (got %d bytes)", len(resp.Data))
	}

	// Many small messages from another connection (on another loop in spate), in order.
	const n = 50000
	ss, err := sub.SubscribeSync("small")
	must(t, err)
	must(t, ss.SetPendingLimits(-1, -1))
	must(t, sub.Flush())
	for i := 0; i < n; i++ {
		must(t, pub.Publish("small", []byte(fmt.Sprintf("msg-%06d-%s", i, strings.Repeat("x", 64)))))
	}
	must(t, pub.Flush())
	for i := 0; i < n; i++ {
		m, err := ss.NextMsg(10 * time.Second)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if want := fmt.Sprintf("msg-%06d-", i); !strings.HasPrefix(string(m.Data), want) {
			t.Fatalf("message %d: got %q", i, m.Data[:11])
		}
	}
}

func TestTLSVerifyRequiresClientCertificate(t *testing.T) {
	f := makeTLSFiles(t)
	s := startWithConfig(t, f.conf(fmt.Sprintf("ca_file: %q\n  verify: true", f.ca)))
	info := plainInfo(t, s)
	if info["tls_required"] != true || info["tls_verify"] != true {
		t.Fatalf("INFO tls_required/tls_verify: %v", info)
	}

	// Without a certificate the handshake fails (TLS 1.3 reports it on the first read, so the
	// connect fails one way or another) and the server says why.
	nc, err := nats.Connect(s.url, nats.RootCAs(f.ca), nats.NoReconnect(), nats.Timeout(5*time.Second))
	if err == nil {
		err = nc.Flush()
		nc.Close()
	}
	if err == nil {
		t.Fatal("a client without a certificate was accepted")
	}
	waitFor(t, 5*time.Second, func() bool { return strings.Contains(s.Log(), "TLS handshake error") },
		"the server logs the failed handshake")

	ok := connect(t, s, nats.RootCAs(f.ca), nats.ClientCert(f.clientCert, f.clientKey))
	ss, err := ok.SubscribeSync("x")
	must(t, err)
	must(t, ok.Publish("x", []byte("1")))
	_, err = ss.NextMsg(5 * time.Second)
	must(t, err)
}

func TestTLSFlags(t *testing.T) {
	f := makeTLSFiles(t)
	s := startServer(t, "--tls", "--tlscert", f.serverCert, "--tlskey", f.serverKey)
	if info := plainInfo(t, s); info["tls_required"] != true {
		t.Fatalf("INFO: %v", info)
	}
	nc := connect(t, s, nats.RootCAs(f.ca))
	must(t, nc.Flush())

	v := startServer(t, "--tlsverify", "--tlscert", f.serverCert, "--tlskey", f.serverKey,
		"--tlscacert", f.ca)
	if info := plainInfo(t, v); info["tls_verify"] != true {
		t.Fatalf("INFO: %v", info)
	}
	nc = connect(t, v, nats.RootCAs(f.ca), nats.ClientCert(f.clientCert, f.clientKey))
	must(t, nc.Flush())
}

// A client that ignores tls_required and speaks plain NATS: the handshake fails on its CONNECT,
// and the server closes the connection at once without answering.
func TestTLSPlaintextClientIsRefused(t *testing.T) {
	f := makeTLSFiles(t)
	s := startWithConfig(t, f.conf(""))
	conn, err := net.DialTimeout("tcp", hostPort(s), 5*time.Second)
	must(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	must(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	if info := readInfo(t, r); info["tls_required"] != true {
		t.Fatalf("INFO: %v", info)
	}
	_, err = conn.Write([]byte("CONNECT {\"verbose\":false}\r\nPING\r\n"))
	must(t, err)
	rest := readUntilClosed(t, r2conn{r, conn}, 5*time.Second)
	if bytes.Contains(rest, []byte("PONG")) || bytes.Contains(rest, []byte("+OK")) {
		t.Fatalf("a plaintext client got protocol answers: %q", rest)
	}
	waitFor(t, 5*time.Second, func() bool { return strings.Contains(s.Log(), "TLS handshake error") },
		"the server logs the failed handshake:\n%s", s.Log())
}

// A client that never starts the handshake is cut off after tls.timeout.
func TestTLSHandshakeTimeout(t *testing.T) {
	f := makeTLSFiles(t)
	s := startWithConfig(t, f.conf("timeout: 0.5"))
	conn, err := net.DialTimeout("tcp", hostPort(s), 5*time.Second)
	must(t, err)
	defer conn.Close()
	start := time.Now()
	r := bufio.NewReader(conn)
	must(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	readInfo(t, r)
	rest := readUntilClosed(t, r2conn{r, conn}, 5*time.Second)
	if took := time.Since(start); took < 400*time.Millisecond {
		t.Fatalf("closed after %v, before the 0.5s timeout", took)
	}
	if bytes.Contains(rest, []byte("PING")) {
		t.Fatalf("got protocol before the handshake: %q", rest)
	}
	// nats-server races its timeout timer against the handshake's read deadline and logs either
	// "TLS handshake timeout" or "TLS handshake error: ... i/o timeout"; spate has one timer.
	isSpate := isSpateBinary(t)
	waitFor(t, 5*time.Second, func() bool {
		log := s.Log()
		return strings.Contains(log, "TLS handshake timeout") ||
			(!isSpate && strings.Contains(log, "TLS handshake error") && strings.Contains(log, "i/o timeout"))
	}, "the server logs the timeout:\n%s", s.Log())
}

// handshake_first: no INFO in the clear; INFO comes over TLS right after the handshake. nats.go
// 1.22 has no TLSHandshakeFirst option, so this speaks the protocol over crypto/tls itself.
func TestTLSHandshakeFirst(t *testing.T) {
	if binaryBefore(t, 2, 10) {
		t.Skip("nats-server before 2.10 has no tls.handshake_first (it refuses the key)")
	}
	f := makeTLSFiles(t)
	s := startWithConfig(t, f.conf("handshake_first: true\n  timeout: 1"))

	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", hostPort(s),
		&tls.Config{RootCAs: f.caPool, ServerName: "127.0.0.1"})
	must(t, err)
	defer conn.Close()
	must(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	r := bufio.NewReader(conn)
	if info := readInfo(t, r); info["tls_required"] != true {
		t.Fatalf("INFO over TLS: %v", info)
	}
	_, err = conn.Write([]byte("CONNECT {\"verbose\":false}\r\nSUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n"))
	must(t, err)
	var got strings.Builder
	for !strings.Contains(got.String(), "PONG\r\n") {
		line, err := r.ReadString('\n')
		must(t, err)
		got.WriteString(line)
	}
	if !strings.Contains(got.String(), "MSG a 1 2\r\nhi\r\n") {
		t.Fatalf("over TLS-first: %q", got.String())
	}

	// A client waiting for INFO in the clear gets nothing and is closed at the timeout.
	plain, err := net.DialTimeout("tcp", hostPort(s), 5*time.Second)
	must(t, err)
	defer plain.Close()
	if rest := readUntilClosed(t, plain, 5*time.Second); bytes.Contains(rest, []byte("INFO")) {
		t.Fatalf("INFO sent in the clear with handshake_first: %q", rest)
	}
}

func TestTLSJetStreamPublish(t *testing.T) {
	f := makeTLSFiles(t)
	s := startWithConfig(t, f.conf(""), "-js")
	nc := connect(t, s, nats.RootCAs(f.ca))
	js, err := nc.JetStream()
	must(t, err)
	addStream(t, js, &nats.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}})
	for i := 1; i <= 3; i++ {
		ack := publish(t, js, "orders.new", fmt.Sprintf("order-%d", i))
		if ack.Sequence != uint64(i) || ack.Stream != "ORDERS" {
			t.Fatalf("ack %d: %+v", i, ack)
		}
	}
	wantState(t, js, "ORDERS", 3, 1, 3)
}

// r2conn reads through a bufio.Reader that already holds part of conn's input.
type r2conn struct {
	r *bufio.Reader
	net.Conn
}

func (c r2conn) Read(p []byte) (int, error) { return c.r.Read(p) }

// verify_and_map: the verified client certificate names the user (its email, DNS names or
// subject), with that user's permissions and no password; a certificate naming no user is
// refused.
func TestTLSVerifyAndMapCertificateToUser(t *testing.T) {
	f := makeTLSFiles(t)
	tlsBlock := f.conf(fmt.Sprintf("ca_file: %q\n  verify_and_map: true", f.ca))
	byEmail := tlsBlock + `authorization { users = [ {user: "alice@example.com", permissions: {publish: "alice.>", subscribe: ">"}} ] }`
	s := startWithConfig(t, byEmail)
	errs := &asyncErrors{}
	nc := connect(t, s, nats.RootCAs(f.ca), nats.ClientCert(f.clientCert, f.clientKey), errs.option())
	sub, err := nc.SubscribeSync("alice.>")
	must(t, err)
	must(t, nc.Publish("alice.x", []byte("mine")))
	expectMsg(t, sub, "mine")
	must(t, nc.Publish("bob.x", nil))
	errs.waitFor(t, `Permissions Violation for Publish to "bob.x"`)

	// The subject DN as Go prints it also names a user.
	byDN := tlsBlock + `authorization { users = [ {user: "CN=alice,OU=dev,O=Acme"} ] }`
	s2 := startWithConfig(t, byDN)
	connect(t, s2, nats.RootCAs(f.ca), nats.ClientCert(f.clientCert, f.clientKey))

	// A certificate that maps to nobody is refused.
	nobody := tlsBlock + `authorization { users = [ {user: "carol@example.com"} ] }`
	s3 := startWithConfig(t, nobody)
	if c, err := nats.Connect(s3.url, nats.RootCAs(f.ca), nats.ClientCert(f.clientCert, f.clientKey), nats.NoReconnect()); err == nil {
		c.Close()
		t.Fatal("a certificate that names no user was accepted")
	}
}

var httpsMonitorLine = regexp.MustCompile(`Starting https monitor on \S+:(\d+)`)

// https_port serves the monitoring endpoints over TLS with the client certificate (no client
// certificate asked for, even with verify); plain HTTP on that port fails. Without a tls block,
// or together with http_port, the server refuses to start with nats-server's errors.
func TestHTTPSMonitoring(t *testing.T) {
	f := makeTLSFiles(t)
	s := startWithConfig(t, f.conf("ca_file: \""+f.ca+"\"\n  verify: true")+"https_port: -1\n")
	m := httpsMonitorLine.FindStringSubmatch(s.Log())
	if m == nil {
		t.Fatalf("no https monitor line:\n%s", s.Log())
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: f.caPool, ServerName: "127.0.0.1"}}}
	resp, err := client.Get("https://127.0.0.1:" + m[1] + "/varz")
	must(t, err)
	defer resp.Body.Close()
	var varz map[string]any
	must(t, json.NewDecoder(resp.Body).Decode(&varz))
	if varz["server_id"] == nil || varz["https_port"] == nil {
		t.Fatalf("varz over https: %v", varz)
	}
	// Keep-alive over TLS: a second request on the same client works.
	resp2, err := client.Get("https://127.0.0.1:" + m[1] + "/healthz")
	must(t, err)
	resp2.Body.Close()
	if resp2.StatusCode != 200 {
		t.Fatalf("healthz status %d", resp2.StatusCode)
	}
	// Plain HTTP on the https port gets no /varz (nats-server answers 400, spate closes).
	if plain, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://127.0.0.1:" + m[1] + "/varz"); err == nil {
		plain.Body.Close()
		if plain.StatusCode == 200 {
			t.Fatal("plain HTTP got /varz from the https port")
		}
	}

	for conf, want := range map[string]string{
		"https_port: -1\n": "TLS cert and key required for HTTPS",
		f.conf("") + "https_port: 8443\nhttp_port: 8222\n": "can't specify both HTTP (8222) and HTTPs (8443) ports",
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "server.conf")
		must(t, os.WriteFile(path, []byte(conf), 0o644))
		out, err := exec.Command(serverBinary(t), "-c", path, "-a", "127.0.0.1", "-p", "-1").CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%q: want a failed start with %q, got %v:\n%s", conf, want, err, out)
		}
	}
}
