// Command embed runs a continuous query inside a Go program: it pushes simulated request
// events into a stream and prints each minute's per-host counts and p-latency as windows fire.
//
//	go run ./examples/embed
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand"
	"time"

	"github.com/weirsql/weir"
)

func main() {
	ctx := context.Background()
	db, err := weir.Open()
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// A stream fed by this program (no connector), with 2 seconds of allowed disorder.
	err = db.Exec(ctx, `CREATE STREAM requests (
		ts TIMESTAMP, host VARCHAR, latency_ms DOUBLE,
		WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)`)
	if err != nil {
		log.Fatal(err)
	}
	rows, err := db.Query(ctx, `
		SELECT window_start, host, count(*) AS requests, avg(latency_ms) AS avg_ms,
		       max(latency_ms) AS max_ms
		FROM requests
		GROUP BY host, TUMBLE(ts, 1m)`)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()

	// Push ten minutes of events from another goroutine, as a service would.
	go func() {
		app, err := db.Appender("requests")
		if err != nil {
			log.Fatal(err)
		}
		defer app.Close() // the stream ends when its last appender closes
		rng := rand.New(rand.NewSource(1))
		hosts := []string{"api", "web", "cdn"}
		t := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
		for i := 0; i < 6000; i++ {
			t = t.Add(100 * time.Millisecond)
			jitter := time.Duration(rng.Intn(1500)) * time.Millisecond // out of order
			err := app.AppendRow(t.Add(-jitter), hosts[rng.Intn(len(hosts))],
				20+rng.ExpFloat64()*15)
			if err != nil {
				log.Fatal(err)
			}
		}
	}()

	for rows.Next() {
		for _, r := range rows.Values() {
			fmt.Printf("%s %-4s %4d requests  avg %5.1f ms  max %6.1f ms\n",
				r[0].(time.Time).Format("15:04"), r[1], r[2], r[3], r[4])
		}
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	s := rows.Stats()
	fmt.Printf("%d events, %d late\n", s.EventsRead, s.LateDropped)
}
