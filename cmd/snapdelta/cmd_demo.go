package main

import (
	"context"
	"io"
	"os"
	"os/signal"

	"github.com/snapdelta/snapdelta/internal/demo"
)

func runDemo(args []string, stdout, stderr io.Writer) error {
	if len(args) != 0 {
		return usagef("demo takes no arguments")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, err := demo.Run(ctx, stdout, demo.DefaultOptions())
	return err
}
