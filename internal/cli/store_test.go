package cli

import (
	"errors"
	"fmt"
	"testing"

	"github.com/secrun/secrun/keystore"
)

func TestStoreWords(t *testing.T) {
	file := keystore.Place{Name: "file", Location: "/d/secrets.json"}
	ring := keystore.Place{Name: "keyring", Location: "Secret Service, service \"secrun\"; index /d/keyring-index.json"}
	tests := []struct {
		reads             []keystore.Place
		words, desc, lack string
	}{
		{[]keystore.Place{file}, "the file store", "the file store (/d/secrets.json)",
			"the file store (/d/secrets.json) does not hold"},
		{[]keystore.Place{ring}, "the keyring store", "the keyring store (" + ring.Location + ")",
			"the keyring store (" + ring.Location + ") does not hold"},
		{[]keystore.Place{ring, file}, "the keyring or the file store", "the keyring or the file store (/d/secrets.json)",
			"neither the keyring nor the file store (/d/secrets.json) holds"},
	}
	for _, tt := range tests {
		d := keystore.Description{Reads: tt.reads}
		if got := storeDesc(d, false); got != tt.words {
			t.Errorf("storeDesc(%v, false) = %q, want %q", tt.reads, got, tt.words)
		}
		if got := storeDesc(d, true); got != tt.desc {
			t.Errorf("storeDesc(%v, true) = %q, want %q", tt.reads, got, tt.desc)
		}
		if got := storeLacks(d); got != tt.lack {
			t.Errorf("storeLacks(%v) = %q, want %q", tt.reads, got, tt.lack)
		}
	}
}

func TestScopeWords(t *testing.T) {
	sc := keystore.Scope{Project: "climate"}
	for _, tt := range []struct{ got, want string }{
		{inScope(keystore.Scope{}), ""},
		{inScope(sc), " (scope climate/*)"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestScopeRefused(t *testing.T) {
	err := scopeRefused(fmt.Errorf("wrapped: %w", &keystore.UnsupportedError{Store: "keyring", What: "scoped secrets"}))
	var ue *usageError
	if !errors.As(err, &ue) || ue.msg != "wrapped: the keyring store keeps no scoped secrets (--project, --domain)" {
		t.Errorf("scopeRefused = %v", err)
	}
	other := errors.New("other")
	if scopeRefused(other) != other {
		t.Error("scopeRefused changed an error that is no refusal")
	}
}
