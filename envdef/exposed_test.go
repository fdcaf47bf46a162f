package envdef

import "testing"

func TestExposed(t *testing.T) {
	tests := []struct {
		text    string
		exposed bool
	}{
		{"export password=1234", true},
		{"$env:password = '1234'", true},
		{"PASSword=1234", true},
		{"export DB_PASSWORD=\"hunter2\"", true},
		{"API_KEY=abcd ./run", true},
		{"mytool --token=abc123 run", true},
		{"mytool --password hunter2", true},
		{"aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE", true},
		{"echo '-----BEGIN RSA PRIVATE KEY-----' > k", true},
		{"git clone https://user:pa55w0rd@example.org/r.git", true},
		{"curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc'", true},
		{"export GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789", true},
		// not credentials
		{"module load openmpi/4.1", false},
		{"export PASSWORD=$DB_PASS", false},
		{"export TOKEN=\"$API_TOKEN\"", false},
		{"export TOKEN=${API_TOKEN}", false},
		{"mytool --token-file \"$TOKEN_FILE\"", false},
		{"mpirun -np <<num_cores>> ./solver", false},
		{"export OMP_NUM_THREADS=4", false},
		{"git clone https://example.org/r.git", false},
	}
	for _, tt := range tests {
		why, got := Exposed(tt.text)
		if got != tt.exposed {
			t.Errorf("Exposed(%q) = %v (%s), want %v", tt.text, got, why, tt.exposed)
		}
	}
}
