// Prints the JetStream state the seed demo leaves behind, one line per fact, so a test can
// compare it across a server restart: the ORDERS stream's counts and each durable consumer's
// delivered and ack-floor positions.
package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/nats-io/nats.go"
)

func main() {
	nc, err := nats.Connect(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	si, err := js.StreamInfo("ORDERS")
	if err != nil {
		fmt.Fprintln(os.Stderr, "stream info:", err)
		os.Exit(1)
	}
	fmt.Printf("stream ORDERS subjects=%v msgs=%d first=%d last=%d consumers=%d\n",
		si.Config.Subjects, si.State.Msgs, si.State.FirstSeq, si.State.LastSeq, si.State.Consumers)
	var names []string
	for n := range js.ConsumerNames("ORDERS") {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ci, err := js.ConsumerInfo("ORDERS", n)
		if err != nil {
			fmt.Fprintln(os.Stderr, "consumer info:", err)
			os.Exit(1)
		}
		fmt.Printf("consumer %s durable=%s filter=%q delivered=%d/%d ack_floor=%d/%d pending=%d ack_pending=%d\n",
			n, ci.Config.Durable, ci.Config.FilterSubject, ci.Delivered.Consumer, ci.Delivered.Stream,
			ci.AckFloor.Consumer, ci.AckFloor.Stream, ci.NumPending, ci.NumAckPending)
	}
}
