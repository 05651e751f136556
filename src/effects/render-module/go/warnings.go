package main

// What Helm and kustomize log while they work (Helm's slog records, kustomize's log.Printf lines, a cobra command's
// notices) is the answer's Warnings, one entry per record: never mixed with the error, never parsed by the host.

import (
	"context"
	"log"
	"log/slog"
	"strings"
)

// warnings collects a command's warnings; as an io.Writer, each write is one entry (log and cobra write a line at a
// time).
type warnings struct{ entries []string }

// maxWarnings bounds what a command's warnings hold (a chart may warn once per value): later ones are dropped.
const maxWarnings = 1000

func (w *warnings) add(entry string) {
	if entry != "" && len(w.entries) < maxWarnings {
		w.entries = append(w.entries, entry)
	}
}

func (w *warnings) Write(p []byte) (int, error) {
	w.add(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// collect sends the log and slog packages' records to w (slog: WARN and above, as Helm's CLI logs without --debug).
func collect(w *warnings) {
	log.SetFlags(0)
	log.SetOutput(w)
	slog.SetDefault(slog.New(warningHandler{w: w}))
}

// warningHandler is a slog.Handler writing one entry per record: its message, then its attributes as key=value.
type warningHandler struct {
	w     *warnings
	attrs []slog.Attr
}

func (h warningHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn
}

func (h warningHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		if !a.Equal(slog.Attr{}) {
			b.WriteString(" " + a.Key + "=" + a.Value.String())
		}
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.w.add(b.String())
	return nil
}

func (h warningHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warningHandler{w: h.w, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}

func (h warningHandler) WithGroup(string) slog.Handler { return h }
