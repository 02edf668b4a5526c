package bytecount_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/snapdelta/snapdelta/internal/bytecount"
)

// A listener and a dialer counting the same exchange see it from both
// ends.
func TestBothEnds(t *testing.T) {
	var server, client bytecount.Counter
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln = server.Listener(ln)
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		buf := make([]byte, 5)
		if _, err := io.ReadFull(c, buf); err != nil {
			done <- err
			return
		}
		_, err = c.Write([]byte("pong!!"))
		done <- err
	}()
	var d net.Dialer
	c, err := client.Dial(d.DialContext)(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("ping!")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if server.Read.Load() != 5 || server.Written.Load() != 6 || client.Written.Load() != 5 || client.Read.Load() != 6 ||
		server.Conns.Load() != 1 || client.Conns.Load() != 1 || client.Total() != 11 {
		t.Fatalf("server read %d wrote %d, client wrote %d read %d", server.Read.Load(), server.Written.Load(), client.Written.Load(), client.Read.Load())
	}
}

func ExampleCounter() {
	var n bytecount.Counter
	a, b := net.Pipe()
	a = n.Conn(a)
	go func() { _, _ = b.Write([]byte("hello")); b.Close() }()
	got, _ := io.ReadAll(a)
	fmt.Println(string(got), n.Read.Load(), n.Written.Load())
	// Output: hello 5 0
}
