package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkNexmark runs the Nexmark workloads of `weir --bench` on a million events each and
// reports events per second; profile one with
//
//	GOMAXPROCS=1 go test ./cmd/weir/ -run '^$' -bench 'Nexmark/q1' -cpuprofile cpu.out
func BenchmarkNexmark(b *testing.B) {
	for _, q := range benchNexmark {
		b.Run(q.name, func(b *testing.B) {
			w := benchWorkload{q.name, q.summary, "nexmark", q.sql, 1_000_000}
			var events int64
			for b.Loop() {
				res, err := runBenchWorkload(w)
				require.NoError(b, err)
				events += res.events
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
