package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Outbox is the local stack's Mailer: each message is a JSON file in Dir,
// named by the time it was sent, which a developer (or a test) reads
// instead of a mailbox.
type Outbox struct{ Dir string }

// Sent is a message in the outbox, with when it was written.
type Sent struct {
	Message
	At time.Time `json:"at"`
}

func (o Outbox) Send(ctx context.Context, m Message) error {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	b, err := json.MarshalIndent(Sent{Message: m, At: time.Now().UTC()}, "", "  ")
	if err != nil {
		return err
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	name := fmt.Sprintf("%d-%s.json", time.Now().UnixNano(), hex.EncodeToString(suffix))
	return os.WriteFile(filepath.Join(o.Dir, name), b, 0o600)
}

// Messages lists the outbox, newest first.
func (o Outbox) Messages() ([]Sent, error) {
	files, err := os.ReadDir(o.Dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Sent
	for _, f := range slices.Backward(files) {
		if !strings.HasSuffix(f.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(o.Dir, f.Name()))
		if err != nil {
			return nil, err
		}
		var s Sent
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("outbox %s: %w", f.Name(), err)
		}
		out = append(out, s)
	}
	return out, nil
}

// page writes the outbox as HTML, every text escaped. It is written by
// hand rather than with html/template, which would add about 300 KiB to the
// members function, which links this package for SES.
func page(msgs []Sent) string {
	var b strings.Builder
	b.WriteString(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Outbox — Fidelio (local)</title></head>
<body><h1>Outbox</h1><p>The emails the local stack sent, newest first. In AWS they go through Amazon SES.</p>
`)
	for _, m := range msgs {
		e := html.EscapeString
		fmt.Fprintf(&b, "<article class=\"message\" data-kind=\"%s\" data-to=\"%s\">\n<h2>%s</h2><p>To <strong>%s</strong>, %s UTC (%s)</p>\n<pre>%s</pre></article>\n",
			e(m.Kind), e(m.To), e(m.Subject), e(m.To), m.At.Format("2006-01-02 15:04:05"), e(m.Kind), e(m.Text))
	}
	if len(msgs) == 0 {
		b.WriteString("<p>No message yet.</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// ServeHTTP lists the outbox as a page (GET /dev/outbox, the local stack
// only), or as JSON when asked for it.
func (o Outbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	msgs, err := o.Messages()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(msgs)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, page(msgs))
}
