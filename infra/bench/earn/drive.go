package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

type options struct {
	clients, members, lone int
	duration               time.Duration
	template               string
}

// A target takes one request of the load.
type target interface {
	name() string
	// send makes one request with the client and checks its answer; pick
	// chooses a member among the bench's.
	send(c *http.Client, pick func(n int) int) error
	close()
}

// figures sum up the latencies of a run.
type figures struct {
	requests int
	rate     float64 // requests per second
	p50, p99 time.Duration
}

func (f figures) String() string {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return fmt.Sprintf("%8d %10.0f %8.2f %8.2f", f.requests, f.rate, ms(f.p50), ms(f.p99))
}

func summarize(took []time.Duration, elapsed time.Duration) figures {
	slices.Sort(took)
	return figures{
		requests: len(took), rate: float64(len(took)) / elapsed.Seconds(),
		p50: took[len(took)/2], p99: took[len(took)*99/100],
	}
}

func newClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// drive sends requests from clients at once until d has passed, each client
// the next as soon as it has its answer.
func drive(t target, clients int, d time.Duration) (figures, error) {
	hc := newClient(clients)
	defer hc.CloseIdleConnections()
	var (
		mu       sync.Mutex
		took     []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for i := range clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 18))
			var mine []time.Duration
			var err error
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err = t.send(hc, r.IntN); err != nil {
					break
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			defer mu.Unlock()
			took = append(took, mine...)
			if firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return figures{}, firstErr
	}
	return summarize(took, time.Since(start)), nil
}

// sequential sends n requests one after the other.
func sequential(t target, n int) (figures, error) {
	hc := newClient(1)
	defer hc.CloseIdleConnections()
	r := rand.New(rand.NewPCG(1, 18))
	took := make([]time.Duration, 0, n)
	start := time.Now()
	for range n {
		t0 := time.Now()
		if err := t.send(hc, r.IntN); err != nil {
			return figures{}, err
		}
		took = append(took, time.Since(t0))
	}
	return summarize(took, time.Since(start)), nil
}
