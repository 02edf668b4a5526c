package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/store"
)

// shutdownGrace is how long serve lets requests in flight finish after
// SIGINT or SIGTERM.
const shutdownGrace = 10 * time.Second

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	data := fs.String("data", "", "directory of the store (snapdelta.db)")
	secretsFile := fs.String("secrets", "", `file of "ENV_ID SECRET" lines`)
	history := fs.Int("history", store.DefaultHistory, "history steps kept per environment (0: none)")
	maxBody := fs.Int64("max-body", link.DefaultMaxBody, "largest request body in bytes")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (PEM); with --tls-key")
	tlsKey := fs.String("tls-key", "", "TLS key file (PEM); with --tls-cert")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *data == "":
		return usagef("--data is required")
	case *secretsFile == "":
		return usagef("--secrets is required")
	case *history < 0:
		return usagef("--history must be >= 0, got %d", *history)
	case *maxBody <= 0:
		return usagef("--max-body must be > 0, got %d", *maxBody)
	case (*tlsCert == "") != (*tlsKey == ""):
		return usagef("--tls-cert and --tls-key go together")
	}

	f, err := os.Open(*secretsFile)
	if err != nil {
		return err
	}
	secrets, err := link.ParseSecrets(f)
	_ = f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *secretsFile, err)
	}
	if len(secrets) == 0 {
		return fmt.Errorf("%s: no environments", *secretsFile)
	}

	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	st, err := store.OpenBolt(filepath.Join(*data, "snapdelta.db"), store.WithHistory(*history))
	if err != nil {
		return err
	}
	defer st.Close()
	recv, err := link.NewReceiver(st)
	if err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv := link.NewServer(*listen, link.NewHandler(recv, secrets, link.WithMaxBody(*maxBody), link.WithLogger(logger)))
	srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	scheme := "http"
	if *tlsCert != "" {
		// Loaded before listening so a bad file fails the start, not the
		// first connection.
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return err
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}
	ln, err := link.Listen(context.Background(), *listen)
	if err != nil {
		return err
	}
	// The first line of stdout is the address, so that a script (or a test)
	// that asked for port 0 learns the one it got.
	fmt.Fprintf(stdout, "listening on %s://%s (%d environments, store %s)\n", scheme, ln.Addr(), len(secrets), st.Path())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			done <- srv.ServeTLS(ln, "", "")
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		return err // Serve only returns early on failure
	case <-ctx.Done():
	}
	stop() // a second signal kills at once
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return st.Close()
}
