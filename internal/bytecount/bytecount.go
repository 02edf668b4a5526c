package bytecount

import (
	"context"
	"net"
	"sync/atomic"
)

// Counter counts, over every connection it wraps, the connections and the
// bytes read from and written to them. The zero Counter is ready; it is
// safe for concurrent use.
type Counter struct {
	Conns, Read, Written atomic.Int64
}

// Conn wraps c so that its traffic is counted.
func (n *Counter) Conn(c net.Conn) net.Conn {
	n.Conns.Add(1)
	return &conn{Conn: c, n: n}
}

// Listener wraps ln so that the connections it accepts are counted: Read is
// then what the peers sent, Written what they were sent.
func (n *Counter) Listener(ln net.Listener) net.Listener { return &listener{Listener: ln, n: n} }

// Dialer is the signature of net.Dialer.DialContext and
// http.Transport.DialContext.
type Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

// Dial wraps dial so that the connections it makes are counted: Written is
// then what went to the peers, Read what came back.
func (n *Counter) Dial(dial Dialer) Dialer {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return n.Conn(c), nil
	}
}

// Total is every byte counted, both ways.
func (n *Counter) Total() int64 { return n.Read.Load() + n.Written.Load() }

type conn struct {
	net.Conn
	n *Counter
}

func (c *conn) Read(b []byte) (int, error) {
	k, err := c.Conn.Read(b)
	c.n.Read.Add(int64(k))
	return k, err
}

func (c *conn) Write(b []byte) (int, error) {
	k, err := c.Conn.Write(b)
	c.n.Written.Add(int64(k))
	return k, err
}

type listener struct {
	net.Listener
	n *Counter
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.n.Conn(c), nil
}
