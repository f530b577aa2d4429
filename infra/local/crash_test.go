package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// localArgs, when set, makes the test binary the local stack itself, with
// these flags: the crash test runs it as a process it can kill.
const localArgs = "FIDELIO_TEST_LOCAL_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(localArgs); args != "" {
		os.Args = append(os.Args[:1], strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// stackProcess is the local stack running as a child process.
type stackProcess struct {
	cmd  *exec.Cmd
	base string
}

func startProcess(t *testing.T, dataDir string) *stackProcess {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), localArgs+"=-addr "+addr+" -data "+dataDir+" -template ../../template.yaml -schedules=false")
	logs, err := os.Create(filepath.Join(t.TempDir(), "stack.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &stackProcess{cmd: cmd, base: "http://" + addr}
	t.Cleanup(func() { p.kill() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logs.Name())
			t.Fatalf("the stack did not answer: %v\n%s", err, out)
		}
	}
}

func (p *stackProcess) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

func (p *stackProcess) post(path, token string, body any, into any) (int, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", p.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if into != nil {
		err = json.Unmarshal(raw, into)
	}
	return resp.StatusCode, err
}

func (p *stackProcess) get(t *testing.T, path, token string, into any) {
	t.Helper()
	req, _ := http.NewRequest("GET", p.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
}

// TestKillNineLosesNoAcknowledgedEarning kills the local stack (SIGKILL, no
// shutdown) while 16 tills send earnings, starts it again on the same file,
// and finds every earning that was answered 201 in the ledger exactly once;
// an earning cut off by the kill is there at most once.
func TestKillNineLosesNoAcknowledgedEarning(t *testing.T) {
	dataDir := t.TempDir()
	p := startProcess(t, dataDir)
	adminKey, err := os.ReadFile(filepath.Join(dataDir, "admin-key"))
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(string(adminKey))
	if status, err := p.post("/v1/admin/stores", admin, map[string]any{"id": "crash", "name": "Crash", "address": "1 rue du Test", "timeZone": "Europe/Paris"}, &struct{}{}); status != 201 {
		t.Fatalf("store: %d %v", status, err)
	}
	var staff struct{ Key string }
	if status, err := p.post("/v1/admin/staff-keys", admin, map[string]any{"storeId": "crash", "name": "Till"}, &staff); status != 201 {
		t.Fatalf("staff key: %d %v", status, err)
	}
	type member struct{ ID, Code string }
	members := make([]member, 8)
	for i := range members {
		if status, err := p.post("/v1/members", "", map[string]any{"name": "Crash", "email": fmt.Sprintf("crash%d@example.com", i)}, &members[i]); status != 201 {
			t.Fatalf("enroll: %d %v", status, err)
		}
	}

	const tills, killAfter = 16, 200
	var (
		mu    sync.Mutex
		acked = map[string]int{} // receipt -> member
		sent  = map[string]int{}
		wg    sync.WaitGroup
	)
	killed := make(chan struct{})
	for till := range tills {
		wg.Go(func() {
			for n := 0; ; n++ {
				m := (till + n) % len(members)
				receipt := fmt.Sprintf("t%d-%d", till, n)
				mu.Lock()
				sent[receipt] = m
				mu.Unlock()
				status, err := p.post("/v1/earnings", staff.Key, map[string]any{"code": members[m].Code, "receiptId": receipt, "amount": map[string]any{"value": 1000, "currency": "EUR"}}, nil)
				if err != nil {
					return // the stack is gone
				}
				if status != 201 {
					t.Errorf("earning %s: %d", receipt, status)
					return
				}
				mu.Lock()
				acked[receipt] = m
				if len(acked) == killAfter {
					close(killed)
				}
				mu.Unlock()
			}
		})
	}
	<-killed
	p.kill()
	wg.Wait()
	if t.Failed() {
		return
	}

	p = startProcess(t, dataDir)
	found := map[string]int{}
	for _, m := range members {
		var sum int64
		for cursor := ""; ; {
			var page struct {
				Entries []struct {
					Kind      string
					Points    int64
					ReceiptID string
				}
				Next string
			}
			p.get(t, "/v1/members/"+m.ID+"/ledger?limit=100"+cursor, admin, &page)
			for _, e := range page.Entries {
				sum += e.Points
				if e.Kind == "earn" {
					found[e.ReceiptID]++
				}
			}
			if page.Next == "" {
				break
			}
			cursor = "&cursor=" + page.Next
		}
		var profile struct{ Balance int64 }
		p.get(t, "/v1/members/"+m.ID, admin, &profile)
		if profile.Balance != sum {
			t.Errorf("member %s: balance %d, ledger sum %d", m.ID, profile.Balance, sum)
		}
	}
	for receipt := range acked {
		if found[receipt] != 1 {
			t.Errorf("acknowledged earning %s is in the ledger %d times", receipt, found[receipt])
		}
	}
	for receipt, n := range found {
		if _, ok := sent[receipt]; !ok || n != 1 {
			t.Errorf("earning %s in the ledger %d times, sent: %v", receipt, n, ok)
		}
	}
	t.Logf("%d earnings sent, %d acknowledged before the kill, %d in the ledger after it", len(sent), len(acked), len(found))
}
