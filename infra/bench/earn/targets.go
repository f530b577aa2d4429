package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/infra/local/stack"
	"github.com/fidelio/fidelio/shared/store/embedded"
)

// earning is the body of POST /v1/earnings, which the yardstick is sent too.
func earning(code string, receipt int64) []byte {
	b, _ := json.Marshal(map[string]any{"code": code, "receiptId": fmt.Sprint("r", receipt), "amount": map[string]any{"value": 1250, "currency": "EUR"}})
	return b
}

func post(c *http.Client, url, token string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != want {
		err = fmt.Errorf("POST %s: %d %s", req.URL.Path, resp.StatusCode, answer)
	}
	return answer, err
}

// yardstick answers each request with one fsync'd bbolt write of its body
// and nothing else.
type yardstick struct {
	db      *bolt.DB
	srv     *httptest.Server
	written atomic.Uint64
}

var yardBucket = []byte("requests")

func startYardstick(dir string) (*yardstick, error) {
	db, err := bolt.Open(filepath.Join(dir, "yardstick.db"), 0o600, nil)
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(yardBucket); return err }); err != nil {
		db.Close()
		return nil, err
	}
	y := &yardstick{db: db}
	y.srv = httptest.NewServer(http.HandlerFunc(y.write))
	return y, nil
}

func (y *yardstick) write(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err == nil {
		key := binary.BigEndian.AppendUint64(nil, y.written.Add(1))
		err = y.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(yardBucket).Put(key, body) })
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, "{}\n")
}

func (y *yardstick) name() string { return "yardstick (1 bbolt write)" }

// disk counts two syncs a write, as bbolt makes: the pages, then the meta page.
func (y *yardstick) disk() (syncs, pages int64) {
	stats := y.db.Stats()
	return 2 * int64(y.written.Load()), stats.TxStats.GetWrite()
}

func (y *yardstick) send(c *http.Client, pick func(int) int) error {
	_, err := post(c, y.srv.URL, "", earning("F1.K1.member.mac", int64(pick(1<<30))), http.StatusCreated)
	return err
}

func (y *yardstick) close() {
	y.srv.Close()
	y.db.Close()
}

// earnPath is the local stack on the embedded store, as go run ./infra/local
// serves it (the pass updater following the change feed, JSON logs, here
// thrown away), with members enrolled through the API.
type earnPath struct {
	st       *stack.Stack
	srv      *httptest.Server
	stop     context.CancelFunc
	stopped  chan struct{}
	staffKey string
	codes    []string
	receipts atomic.Int64
}

func startStack(ctx context.Context, dir string, o options) (*earnPath, error) {
	st, err := stack.New(ctx, stack.Options{
		DataDir: filepath.Join(dir, "stack"), Template: o.template, Demo: true,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, err
	}
	e := &earnPath{st: st, srv: httptest.NewServer(st), stopped: make(chan struct{}), staffKey: st.Demo.StaffKeys[0].Key}
	ctx, e.stop = context.WithCancel(ctx)
	go func() { st.RunUpdater(ctx); close(e.stopped) }()
	hc := newClient(1)
	defer hc.CloseIdleConnections()
	for i := range o.members {
		body, _ := json.Marshal(map[string]any{"name": "Bench", "email": fmt.Sprintf("bench%d@example.com", i)})
		answer, err := post(hc, e.srv.URL+"/v1/members", "", body, http.StatusCreated)
		var m struct{ Code string }
		if err == nil {
			err = json.Unmarshal(answer, &m)
		}
		if err != nil {
			e.close()
			return nil, fmt.Errorf("enroll: %w", err)
		}
		e.codes = append(e.codes, m.Code)
	}
	return e, nil
}

func (e *earnPath) name() string { return "earn (local stack, HTTP)" }

func (e *earnPath) disk() (syncs, pages int64) {
	w := e.st.Store.(*embedded.Store).Written()
	return 2 * w.Commits, w.Pages
}

func (e *earnPath) send(c *http.Client, pick func(int) int) error {
	_, err := post(c, e.srv.URL+"/v1/earnings", e.staffKey, earning(e.codes[pick(len(e.codes))], e.receipts.Add(1)), http.StatusCreated)
	return err
}

func (e *earnPath) close() {
	e.stop()
	<-e.stopped
	e.srv.Close()
	e.st.Close()
}
