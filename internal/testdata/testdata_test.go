package testdata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that records a skip or a failure instead of stopping.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) { r.skipped = fmt.Sprintf(format, args...) }

func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestDirMissing(t *testing.T) {
	tests := []struct {
		ci          string
		skip, fatal bool
	}{
		{"", true, false},
		{"false", true, false},
		{"true", false, true},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			r := &recorder{TB: t}
			require.Empty(t, Dir(r, "no-such-data-set"))
			if tt.skip {
				require.Contains(t, r.skipped, `data set "no-such-data-set" is missing`)
			}
			if tt.fatal {
				require.Contains(t, r.failed, `data set "no-such-data-set" is missing`)
			}
		})
	}
}

func TestDirFound(t *testing.T) {
	dir := Dir(t, "nasa-http")
	require.True(t, filepath.IsAbs(dir))
	require.Equal(t, filepath.Join("shared", "data", "nasa-http"),
		filepath.Join(filepath.Base(filepath.Dir(filepath.Dir(dir))),
			filepath.Base(filepath.Dir(dir)), filepath.Base(dir)))
	_, err := os.Stat(filepath.Join(dir, "nasa_19950801.tsv"))
	require.NoError(t, err)
}
