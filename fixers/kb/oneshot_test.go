package kb

import "testing"

func TestIsOneShotName(t *testing.T) {
	if _, err := LoadOneShotNames(); err != nil {
		t.Fatalf("LoadOneShotNames() error: %v", err)
	}
	tests := []struct {
		name string
		want bool
	}{
		{"init", true},
		{"migrate", true},
		{"migrations", true},
		{"migration", true},
		{"setup", true},
		{"seed", true},
		{"create-buckets", true},
		{"minio-init", true},
		{"db-migrate", true},
		{"db_migrations", true},
		{"init-db", true},
		{"Minio-Init", true},
		{"app", false},
		{"postgres", false},
		{"initializer", false},
		{"seeder-ui", false},
		{"-init", false},
		{"password-sync", false}, // one-shot in the audit, but its name does not say so
		{"", false},
	}
	for _, tt := range tests {
		if got := IsOneShotName(tt.name); got != tt.want {
			t.Errorf("IsOneShotName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
