package link_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

func ExampleSender() {
	r, err := link.NewReceiver(store.NewMemory())
	if err != nil {
		log.Fatal(err)
	}
	// An agent's Sender; the first seq is normally taken from the clock.
	s, err := link.NewSender(link.WithFirstSeq(1))
	if err != nil {
		log.Fatal(err)
	}
	polls := []string{
		`{"containers":[{"Id":"a1","State":"running"}]}`,
		`{"containers":[{"Id":"a1","State":"exited"}]}`,
		`{"containers":[{"Id":"a1","State":"exited"},{"Id":"b2","State":"running"}]}`,
	}
	for i, doc := range polls {
		snap, err := snapshot.Parse([]byte(doc))
		if err != nil {
			log.Fatal(err)
		}
		o, err := s.Next(snap)
		if err != nil {
			log.Fatal(err)
		}
		if i == 1 {
			// This frame is lost on the way: no ack, the base stays.
			fmt.Printf("seq %d lost\n", o.Seq)
			continue
		}
		// In real life the frame travels over HTTP (see Client and Agent).
		ack, err := r.Receive("docker-1", o.Seq, o.Frame)
		if err != nil {
			log.Fatal(err)
		}
		if err := s.Ack(ack); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("seq %d full=%v: %s\n", o.Seq, o.Full, ack.Status)
	}
	got, _, _ := r.Snapshot("docker-1")
	fmt.Println(got.Hash() == s.Acked().Hash())
	// Output:
	// seq 1 full=true: applied
	// seq 2 lost
	// seq 3 full=false: applied
	// true
}

func ExampleReceiver() {
	r, err := link.NewReceiver(store.NewMemory())
	if err != nil {
		log.Fatal(err)
	}
	s, err := link.NewSender(link.WithFirstSeq(100))
	if err != nil {
		log.Fatal(err)
	}
	send := func(r *link.Receiver, doc string) (link.Ack, error) {
		snap, err := snapshot.Parse([]byte(doc))
		if err != nil {
			log.Fatal(err)
		}
		o, err := s.Next(snap)
		if err != nil {
			log.Fatal(err)
		}
		ack, rerr := r.Receive("k8s-prod", o.Seq, o.Frame)
		if err := s.Ack(ack); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("seq %d full=%v: %s\n", o.Seq, o.Full, ack.Status)
		return ack, rerr
	}
	send(r, `{"nodes":[{"metadata":{"uid":"n1"},"ready":true}]}`)

	// The server lost its memory (an in-memory store, restarted): it does
	// not hold the agent's base, and says so; the agent resends in full.
	r, err = link.NewReceiver(store.NewMemory())
	if err != nil {
		log.Fatal(err)
	}
	const v2 = `{"nodes":[{"metadata":{"uid":"n1"},"ready":false}]}`
	_, err = send(r, v2)
	fmt.Println(errors.Is(err, link.ErrUnknownBase))
	send(r, v2)

	snap, seq, err := r.Snapshot("k8s-prod")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("seq %d: %s\n", seq, snap.MarshalCanonical())
	// Output:
	// seq 100 full=true: applied
	// seq 101 full=false: unknown-base
	// true
	// seq 102 full=true: applied
	// seq 102: {"nodes":[{"metadata":{"uid":"n1"},"ready":false}]}
}

// A server and an agent's client over HTTP, both made for metered links:
// the connection stays open between polls, without keep-alive probes.
func ExampleNewHTTPClient() {
	recv, err := link.NewReceiver(store.NewMemory())
	if err != nil {
		log.Fatal(err)
	}
	ln, err := link.Listen(context.Background(), "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := link.NewServer("", link.NewHandler(recv, map[string]string{"edge-1": "s3cret"}))
	go func() { _ = srv.Serve(ln) }() // returns when Close below ends it
	defer srv.Close()

	client := &link.Client{BaseURL: "http://" + ln.Addr().String(), Env: "edge-1", Secret: "s3cret",
		HTTP: link.NewHTTPClient(nil)} // NewHTTPClient(&tls.Config{RootCAs: pool}) for a private CA
	s, err := link.NewSender(link.WithFirstSeq(1))
	if err != nil {
		log.Fatal(err)
	}
	for _, doc := range []string{`{"containers":[{"Id":"a1","Status":"Up 1 minute"}]}`, `{"containers":[{"Id":"a1","Status":"Up 2 minutes"}]}`} {
		snap, err := snapshot.Parse([]byte(doc))
		if err != nil {
			log.Fatal(err)
		}
		o, err := s.Next(snap)
		if err != nil {
			log.Fatal(err)
		}
		ack, err := client.Send(context.Background(), o)
		if err != nil {
			log.Fatal(err)
		}
		if err := s.Ack(ack); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("seq %d full=%v: %s\n", o.Seq, o.Full, ack.Status)
	}
	// Output:
	// seq 1 full=true: applied
	// seq 2 full=false: applied
}

// An agent that kept the snapshot its receiver last acknowledged resumes
// after a restart with a delta, not a full frame.
func ExampleWithBase() {
	r, err := link.NewReceiver(store.NewMemory())
	if err != nil {
		log.Fatal(err)
	}
	poll := func(s *link.Sender, doc string) {
		snap, err := snapshot.Parse([]byte(doc))
		if err != nil {
			log.Fatal(err)
		}
		o, err := s.Next(snap)
		if err != nil {
			log.Fatal(err)
		}
		ack, err := r.Receive("docker-1", o.Seq, o.Frame)
		if err != nil {
			log.Fatal(err)
		}
		if err := s.Ack(ack); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("seq %d full=%v: %s\n", o.Seq, o.Full, ack.Status)
	}
	first, err := link.NewSender(link.WithFirstSeq(1))
	if err != nil {
		log.Fatal(err)
	}
	poll(first, `{"containers":[{"Id":"a1","Status":"Up 1 minute"}]}`)
	kept := first.Acked() // what `snapdelta agent --state` writes on exit

	restarted, err := link.NewSender(link.WithFirstSeq(10), link.WithBase(kept))
	if err != nil {
		log.Fatal(err)
	}
	poll(restarted, `{"containers":[{"Id":"a1","Status":"Up 3 minutes"}]}`)
	// Output:
	// seq 1 full=true: applied
	// seq 10 full=false: applied
}
