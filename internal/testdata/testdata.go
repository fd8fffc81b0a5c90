// Package testdata finds the real data sets that tests read. They live outside the module, in
// ../shared/data beside the module's root, and are not part of a fresh clone: a test that
// needs one is skipped when it is missing, except under CI (CI=true), where it fails.
package testdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of the data set's folder, ../shared/data/<dataset> seen from
// the folder that holds go.mod, found by walking up from the test's working directory. When
// the folder is missing, it skips the test, or fails it when the environment sets CI=true.
func Dir(t testing.TB, dataset string) string {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}

	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("testdata: %v", err)
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			missing("data set %q: no go.mod above %s to find ../shared/data from", dataset, wd)
			return ""
		}
		root = parent
	}

	dir := filepath.Join(filepath.Dir(root), "shared", "data", dataset)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		missing("data set %q is missing: %s is not a folder (the data sets are not part of "+
			"the repository; put them in ../shared/data beside it)", dataset, dir)
		return ""
	}
	return dir
}
