package weir

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/internal/testdata"
)

// TestAnalyticOverNASAEvents runs RANGE frames of one minute per host over the raw requests
// of ../shared/data/nasa-http, whose times are whole seconds, so that many requests of a host
// share a time: they are peers, and each one's frame holds them all, as in SQL. Every row is
// checked against a computation from the file read line by line.
func TestAnalyticOverNASAEvents(t *testing.T) {
	path := filepath.Join(testdata.Dir(t, "nasa-http"), "nasa_19950801.tsv")

	// The reference: per host and second, the requests and bytes of the minute up to and
	// with that second.
	type req struct {
		t     int64
		bytes int64
	}
	byHost := map[string][]req{}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	n := 0
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		sec, err := strconv.ParseInt(fields[2], 10, 64)
		require.NoError(t, err)
		b, _ := strconv.ParseInt(fields[6], 10, 64) // "-" is no bytes: 0 in the sum
		byHost[fields[0]] = append(byHost[fields[0]], req{sec, b})
		n++
	}
	require.NoError(t, sc.Err())
	type key struct {
		host string
		t    int64
	}
	want := map[key][2]int64{}
	for host, reqs := range byHost {
		sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].t < reqs[j].t })
		for _, r := range reqs {
			var count, sum int64
			for _, x := range reqs {
				if x.t >= r.t-60 && x.t <= r.t {
					count++
					sum += x.bytes
				}
			}
			want[key{host, r.t}] = [2]int64{count, sum}
		}
	}

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM nasa (host VARCHAR, time BIGINT,
		bytes BIGINT) WITH (connector = 'file', path = '`+path+`', format = 'tsv')`))
	rows, err := db.Query(ctx, `SELECT host, to_timestamp(time) AS ts,
		count(*) OVER (PARTITION BY host ORDER BY to_timestamp(time)
			RANGE INTERVAL '1' MINUTE PRECEDING) AS requests,
		coalesce(sum(bytes) OVER (PARTITION BY host ORDER BY to_timestamp(time)
			RANGE INTERVAL '1' MINUTE PRECEDING), 0) AS bytes
		FROM nasa`)
	require.NoError(t, err)
	defer rows.Close()
	got := 0
	peers := 0
	seen := map[key]bool{}
	for rows.Next() {
		for _, r := range rows.Values() {
			k := key{r[0].(string), r[1].(time.Time).Unix()}
			if seen[k] {
				peers++
			}
			seen[k] = true
			w, ok := want[k]
			require.True(t, ok, "row %v", r)
			require.Equal(t, w[0], r[2], "requests of %v", k)
			require.InDelta(t, float64(w[1]), toF(r[3]), 0.5, "bytes of %v", k)
			got++
		}
	}
	require.NoError(t, rows.Err())
	require.Equal(t, n, got, "every request has its row")
	require.Greater(t, peers, 1000, "requests of a host share a second")
	require.Zero(t, rows.Stats().LateDropped)
}

func toF(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}
