package stack

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestADeviceNeverMissesAChange races card changes of several members, whose
// passes are on one device, against that device's lists and downloads, in
// random interleavings (several changes of a card in one second, changes
// landing while a list is read). After each round the device, sending back
// the last tag and If-Modified-Since it was given, must hold every card as
// it is now.
func TestADeviceNeverMissesAChange(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) { testNeverMissesAChange(t, storeName) })
	}
}

// phone is a device that follows the Wallet web service protocol: it lists
// its passes changed since its last tag, and downloads each with the
// Last-Modified it last got.
type phone struct {
	t      *testing.T
	c      *client
	list   string
	auth   map[string]string
	tag    string
	passes map[string]heldPass
}

type heldPass struct {
	lastModified string
	balance      float64
}

// sync lists the changed passes and downloads them; it reports whether the
// list answered 204 (nothing changed since the tag).
func (p *phone) sync() (upToDate bool) {
	p.t.Helper()
	resp, body := walletCall(p.t, p.c, "GET", p.list+"?passesUpdatedSince="+p.tag, "", nil)
	if resp.StatusCode == http.StatusNoContent {
		return true
	}
	var list struct {
		SerialNumbers []string `json:"serialNumbers"`
		LastUpdated   string   `json:"lastUpdated"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil || list.LastUpdated == "" {
		p.t.Fatalf("device list: %d %s", resp.StatusCode, body)
	}
	for _, serial := range list.SerialNumbers {
		held := p.passes[serial]
		resp, pkpass := walletCall(p.t, p.c, "GET", fmt.Sprintf("/wallet/v1/passes/%s/%s", devPassTypeID, serial), p.auth[serial], nil, "If-Modified-Since", held.lastModified)
		switch resp.StatusCode {
		case http.StatusNotModified:
		case http.StatusOK:
			var pass struct {
				StoreCard struct {
					HeaderFields []struct {
						Key   string  `json:"key"`
						Value float64 `json:"value"`
					} `json:"headerFields"`
				} `json:"storeCard"`
			}
			json.Unmarshal(unzip(p.t, pkpass)["pass.json"], &pass)
			p.passes[serial] = heldPass{lastModified: resp.Header.Get("Last-Modified"), balance: pass.StoreCard.HeaderFields[0].Value}
		default:
			p.t.Fatalf("pass download: %d", resp.StatusCode)
		}
	}
	p.tag = list.LastUpdated
	return false
}

func testNeverMissesAChange(t *testing.T, storeName string) {
	st, c := startWalletStack(t, storeName)
	staff := st.Demo.StaffKeys[0].Key
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 12))

	const members, rounds = 3, 25
	device := &phone{t: t, c: c, list: "/wallet/v1/devices/device-r/registrations/" + devPassTypeID, auth: map[string]string{}, passes: map[string]heldPass{}}
	codes := map[string]string{}
	for i := range members {
		card := enrollWithPass(t, c, i)
		device.auth[card.serial] = card.auth
		codes[card.serial] = card.code
		registration := fmt.Sprintf("/wallet/v1/devices/device-r/registrations/%s/%s", devPassTypeID, card.serial)
		if resp, _ := walletCall(t, c, "POST", registration, card.auth, map[string]string{"pushToken": "token"}); resp.StatusCode != 201 {
			t.Fatalf("registration: %d", resp.StatusCode)
		}
	}

	changed := 0
	for round := range rounds {
		var wg sync.WaitGroup
		for serial, code := range codes {
			changes := rng.IntN(4)
			pauses := make([]time.Duration, changes)
			for i := range pauses {
				pauses[i] = time.Duration(rng.IntN(100)) * time.Millisecond
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i, pause := range pauses {
					time.Sleep(pause)
					a := c.do("POST", "/v1/earnings", staff, map[string]any{"code": code, "receiptId": fmt.Sprintf("R-%d-%s-%d", round, serial, i), "amount": map[string]any{"value": 500, "currency": "EUR"}})
					if a.status != 201 {
						t.Errorf("earning: %d %v", a.status, a.body)
					}
				}
			}()
			changed += changes
		}
		for range rng.IntN(4) {
			time.Sleep(time.Duration(rng.IntN(100)) * time.Millisecond)
			device.sync()
		}
		wg.Wait()

		for polls := 0; !device.sync(); polls++ {
			if polls == 3 {
				t.Fatalf("round %d: the device list still lists passes after 3 polls with nothing changing", round)
			}
		}
		for serial := range codes {
			m, err := st.Store.Member(t.Context(), serial)
			if err != nil {
				t.Fatal(err)
			}
			if held := device.passes[serial]; held.balance != float64(m.Balance) {
				t.Fatalf("round %d (seed %d): the device holds %s at balance %v, the card shows %d: a change was missed", round, seed, serial, held.balance, m.Balance)
			}
		}
	}
	t.Logf("%d changes over %d rounds, all seen", changed, rounds)
}
