package names

import (
	"strings"
	"testing"
)

func TestVarOf(t *testing.T) {
	tests := []struct {
		key, want string
		ok        bool
	}{
		{"MY_SECRET", "MY_SECRET", true},
		{"lower_case9", "lower_case9", true},
		{"_x", "_x", true},
		{"db-password", "db_password", true},
		{"aws.creds/prod-1", "aws_creds_prod_1", true},
		{"9lives", "9lives", false},
		{"-x", "_x", true},
		{"db pass", "db pass", false},
		{"caf\u00e9", "caf\u00e9", false},
		{"a=b", "a=b", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := VarOf(tt.key)
		if got != tt.want || ok != tt.ok {
			t.Errorf("VarOf(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidVar(t *testing.T) {
	for s, want := range map[string]bool{
		"A": true, "_": true, "a_B9": true, "Z_": true,
		"": false, "9": false, "9a": false, "a-b": false, "a.b": false, "a b": false, "\u00e9": false, "a\x00": false,
	} {
		if got := ValidVar(s); got != want {
			t.Errorf("ValidVar(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidFile(t *testing.T) {
	for s, want := range map[string]bool{
		"cert.pem": true, ".hidden": true, "a b": true, "é": true, strings.Repeat("f", 255): true,
		"": false, ".": false, "..": false, "a/b": false, `a\b`: false, "a:b": false, "a\x00b": false,
		"a\nb": false, "a\x7fb": false, "\xff": false, "a\ufffdb": false, strings.Repeat("f", 256): false,
	} {
		if got := ValidFile(s); got != want {
			t.Errorf("ValidFile(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidEnvAndScope(t *testing.T) {
	for s, want := range map[string][2]bool{ // env, scope
		"climate": {true, true}, "prod-1.a_b": {true, true}, "-x": {true, false}, ".x": {true, false},
		"": {false, false}, "a b": {false, false}, "a/b": {false, false}, "é": {false, false},
		strings.Repeat("p", 64): {true, true}, strings.Repeat("p", 65): {false, false},
	} {
		if got := [2]bool{ValidEnv(s), ValidScope(s)}; got != want {
			t.Errorf("ValidEnv, ValidScope(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestIsReserved(t *testing.T) {
	for s, want := range map[string]bool{
		"SECRUN_ENV": true, "secrun_x": true, "Secrun_": true, "SECRUN": false, "MY_SECRUN_X": false, "": false,
	} {
		if got := IsReserved(s); got != want {
			t.Errorf("IsReserved(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSameVar(t *testing.T) {
	defer func(old bool) { FoldVars = old }(FoldVars)
	for _, fold := range []bool{false, true} {
		FoldVars = fold
		if got := SameVar("Path", "PATH"); got != fold {
			t.Errorf("FoldVars=%v: SameVar(Path, PATH) = %v", fold, got)
		}
		if !SameVar("PATH", "PATH") || SameVar("PATH", "PATHS") {
			t.Errorf("FoldVars=%v: SameVar compares wrongly", fold)
		}
		if got, want := FoldVar("Path") == FoldVar("PATH"), fold; got != want {
			t.Errorf("FoldVars=%v: FoldVar(Path) = %q", fold, FoldVar("Path"))
		}
	}
}
