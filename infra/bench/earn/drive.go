package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"time"
)

type options struct {
	clients, members, lone, rounds int
	duration                       time.Duration
	template                       string
}

// A target takes one request of the load.
type target interface {
	name() string
	// send makes one request with the client and checks its answer; pick
	// chooses a member among the bench's.
	send(c *http.Client, pick func(n int) int) error
	// disk is what the target has written since it started: disk syncs
	// and pages.
	disk() (syncs, pages int64)
	close()
}

// sample is what the runs of a target measured, added up over rounds.
type sample struct {
	took         []time.Duration
	elapsed      time.Duration
	cpu          time.Duration // of the whole process, clients included
	syncs, pages int64         // the target's writes to disk
}

func (s *sample) add(o sample) {
	s.took, s.elapsed, s.cpu = append(s.took, o.took...), s.elapsed+o.elapsed, s.cpu+o.cpu
	s.syncs, s.pages = s.syncs+o.syncs, s.pages+o.pages
}

// rate is in requests per second.
func (s sample) rate() float64 { return float64(len(s.took)) / s.elapsed.Seconds() }

func (s sample) String() string {
	slices.Sort(s.took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	n := float64(len(s.took))
	return fmt.Sprintf("%8d %10.0f %8.2f %8.2f %8.0f %8.2f %8.2f", len(s.took), s.rate(),
		ms(s.took[len(s.took)/2]), ms(s.took[len(s.took)*99/100]), float64(s.cpu.Microseconds())/n, float64(s.syncs)/n, float64(s.pages)/n)
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func newClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// drive sends requests from clients at once until d has passed, each client
// the next as soon as it has its answer.
func drive(t target, clients int, d time.Duration) (sample, error) {
	hc := newClient(clients)
	defer hc.CloseIdleConnections()
	var (
		mu       sync.Mutex
		took     []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	syncs, pages := t.disk()
	start, cpu := time.Now(), processCPU()
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
		return sample{}, firstErr
	}
	return measured(t, took, start, cpu, syncs, pages), nil
}

// sequential sends n requests one after the other.
func sequential(t target, n int) (sample, error) {
	hc := newClient(1)
	defer hc.CloseIdleConnections()
	r := rand.New(rand.NewPCG(1, 18))
	took := make([]time.Duration, 0, n)
	syncs, pages := t.disk()
	start, cpu := time.Now(), processCPU()
	for range n {
		t0 := time.Now()
		if err := t.send(hc, r.IntN); err != nil {
			return sample{}, err
		}
		took = append(took, time.Since(t0))
	}
	return measured(t, took, start, cpu, syncs, pages), nil
}

// measured is the sample of requests that took took, from start, when the
// process had used cpu and the target had made syncs and written pages.
func measured(t target, took []time.Duration, start time.Time, cpu time.Duration, syncs, pages int64) sample {
	elapsed, used := time.Since(start), processCPU()-cpu
	nowSyncs, nowPages := t.disk()
	return sample{took, elapsed, used, nowSyncs - syncs, nowPages - pages}
}
