package locale

import "fmt"

// NearStore is what the lock screen says near one of the program's stores.
func NearStore(store string) Text {
	return each(func(l Language) string {
		if l == French {
			return fmt.Sprintf("%s est tout près : présentez votre carte en caisse", store)
		}
		return fmt.Sprintf("%s is nearby: show your card at the till", store)
	})
}
