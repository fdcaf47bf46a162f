package envdef

import "testing"

func TestCores(t *testing.T) {
	tests := []struct {
		c    Cores
		str  string
		in   []int
		notn []int
	}{
		{Cores{1, 1, 1}, "1", []int{1}, []int{0, 2}},
		{Cores{4, 4, 1}, "4", []int{4}, []int{3, 5}},
		{Cores{2, 64, 1}, "2-64", []int{2, 3, 63, 64}, []int{1, 65, -2}},
		{Cores{2, 64, 2}, "2-64 step 2", []int{2, 4, 64}, []int{3, 63, 66}},
		{Cores{16, 64, 16}, "16-64 step 16", []int{16, 32, 48, 64}, []int{0, 8, 24, 80}},
		{Cores{1, 10, 4}, "1-10 step 4", []int{1, 5, 9}, []int{10, 13}}, // stop need not be on a step
		{Cores{}, "0", []int{0}, []int{1}},                              // the zero value must not divide by zero
		{Cores{1, 3, 0}, "1-3", []int{1, 2, 3}, []int{4}},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.str {
			t.Errorf("%#v.String() = %q, want %q", tt.c, got, tt.str)
		}
		for _, n := range tt.in {
			if !tt.c.Contains(n) {
				t.Errorf("%v.Contains(%d) = false, want true", tt.c, n)
			}
		}
		for _, n := range tt.notn {
			if tt.c.Contains(n) {
				t.Errorf("%v.Contains(%d) = true, want false", tt.c, n)
			}
		}
	}
}
