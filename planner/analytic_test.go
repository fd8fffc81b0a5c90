package planner

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAnalyticPlanErrors checks the errors of analytic calls: kind and whole message,
// position included.
func TestAnalyticPlanErrors(t *testing.T) {
	const w = ` OVER (PARTITION BY zone ORDER BY pickup)`
	tests := []struct {
		sql  string
		kind error
		msg  string
	}{
		{`SELECT zscor(fare)` + w + ` FROM trips`, ErrUnknownFunction,
			`1:8: unknown analytic function "zscor" (did you mean "zscore"?)`},
		{`SELECT lower(name)` + w + ` FROM trips`, ErrUnknownFunction,
			`1:8: unknown analytic function "lower"`},
		{`SELECT zscor(fare) FROM trips`, ErrUnknownFunction,
			`1:8: unknown function "zscor" (did you mean "zscore"?)`},
		{`SELECT row_number() FROM trips`, ErrInvalid,
			`1:8: row_number is an analytic function: it needs OVER (PARTITION BY ... ` +
				`ORDER BY ...)`},
		{`SELECT zone FROM trips WHERE row_number()` + w + ` = 1`, ErrInvalid,
			`1:30: analytic function row_number is not allowed in WHERE (filter on it ` +
				`with QUALIFY or in an outer query)`},
		{`SELECT lag(fare)` + w[:len(w)-1] + ` ROWS 2 PRECEDING) FROM trips`, ErrInvalid,
			`1:18: lag takes no frame (ROWS or RANGE): it looks at row positions or at ` +
				`every earlier row`},
		{`SELECT lead(fare, zone)` + w + ` FROM trips`, ErrInvalid,
			`1:19: lead's offset must be a constant BIGINT of 0 or more`},
		{`SELECT lag(fare, -1)` + w + ` FROM trips`, ErrInvalid,
			`1:18: lag's offset must be a constant BIGINT of 0 or more`},
		{`SELECT lag(fare, 1, name)` + w + ` FROM trips`, ErrTypeMismatch,
			`1:8: lag: default of type VARCHAR for a value of type DOUBLE`},
		{`SELECT ema(fare, 1.5)` + w + ` FROM trips`, ErrInvalid,
			`1:18: ema's alpha must be a constant in (0, 1]`},
		{`SELECT ema(fare)` + w + ` FROM trips`, ErrInvalid,
			`1:8: ema OVER takes 2 arguments, got 1`},
		{`SELECT avg(name)` + w + ` FROM trips`, ErrTypeMismatch,
			`1:8: avg expects numeric arguments, got VARCHAR`},
		{`SELECT rank(*)` + w + ` FROM trips`, ErrInvalid,
			`1:8: rank(*) is not a function: write rank()`},
		{`SELECT sum(DISTINCT fare)` + w + ` FROM trips`, ErrUnsupported,
			`1:8: unsupported: DISTINCT, FILTER, WITHIN GROUP or named arguments in an ` +
				`analytic function`},
		{`SELECT sum(fare) OVER (PARTITION BY zone ORDER BY fare) FROM trips`, ErrUnsupported,
			`1:18: unsupported: sum OVER a stream needs ORDER BY its time ascending ` +
				`(window_start or the event time), or PARTITION BY window_start (TUMBLE, ` +
				`HOP) or window_end (any window) to take each window's rows as a whole`},
		{`SELECT rank() OVER (PARTITION BY zone) FROM trips`, ErrUnsupported,
			`1:15: unsupported: rank OVER a stream needs ORDER BY its time ascending ` +
				`(window_start or the event time), or PARTITION BY window_start (TUMBLE, ` +
				`HOP) or window_end (any window) to take each window's rows as a whole`},
		{`SELECT zone, sum(count(*)) OVER (PARTITION BY window_start ORDER BY count(*) ` +
			`RANGE 5m PRECEDING) FROM trips GROUP BY zone, TUMBLE(pickup, 1m)`, ErrInvalid,
			`1:28: a RANGE frame of an interval needs ORDER BY one TIMESTAMP ascending`},
		{`SELECT zone, rate(count(*)) OVER (PARTITION BY window_start ORDER BY count(*)) ` +
			`FROM trips GROUP BY zone, TUMBLE(pickup, 1m)`, ErrInvalid,
			`1:29: rate OVER needs ORDER BY a TIMESTAMP ascending: it divides by the time ` +
				`its frame covers`},
		{`SELECT sum(fare) OVER (PARTITION BY zone ORDER BY pickup ROWS 1 FOLLOWING) ` +
			`FROM trips`, ErrUnsupported,
			`1:18: unsupported: frame "ROWS 1 FOLLOWING" (use ROWS BETWEEN n PRECEDING AND ` +
				`m PRECEDING, ROWS n PRECEDING or RANGE INTERVAL '5' MINUTE PRECEDING)`},
		{`SELECT zone, lag(count(*)) OVER (PARTITION BY zone ORDER BY window_start) ` +
			`FROM trips GROUP BY zone, TUMBLE(pickup, 1m) EMIT CHANGES`, ErrUnsupported,
			`1:14: unsupported: analytic functions over a changelog (EMIT EVERY, EMIT ` +
				`CHANGES, ALLOWED LATENESS)`},
		{`SELECT zone, lead(count(*)) OVER (PARTITION BY zone ORDER BY window_start) ` +
			`FROM trips GROUP BY zone, TUMBLE(pickup, 1m) ORDER BY count(*) LIMIT 3`,
			ErrUnsupported, `1:14: unsupported: ORDER BY or LIMIT per window with lead ` +
				`over a stream, whose rows come out after later windows`},
		{`SELECT zone FROM trips QUALIFY zone > 1`, ErrInvalid,
			`1:37: QUALIFY filters on analytic functions (OVER), and there is none`},
		{`SELECT lag(fare) OVER (ORDER BY pickup), row_number() OVER (ORDER BY ` +
			`pickup + INTERVAL '1' SECOND) FROM trips`, ErrUnsupported,
			`1:55: unsupported: analytic functions over events ordered by different times ` +
				`(pickup and pickup + INTERVAL '1' SECOND) in one query`},
		{`SELECT lag(fare) OVER (ORDER BY pickup, fare) FROM (SELECT pickup, fare ` +
			`FROM trips)`, ErrUnsupported,
			`1:41: unsupported: ORDER BY keys after the time over rows whose times do not ` +
				`come together (a subquery's, or sessions' and CUMULATE's by window_start)`},
		{`SELECT zone, lag(zone) OVER (PARTITION BY zone ORDER BY window_start, zone) ` +
			`FROM trips GROUP BY zone, SESSION(pickup, 1m)`, ErrUnsupported,
			`1:71: unsupported: ORDER BY keys after the time over rows whose times do not ` +
				`come together (a subquery's, or sessions' and CUMULATE's by window_start)`},
		{`SELECT zone, lag(zone) OVER (ORDER BY window_start) FROM trips ` +
			`GROUP BY zone, SESSION(pickup, 1m)`, ErrUnsupported,
			`1:39: unsupported: ORDER BY window_start over sessions of several keys, which ` +
				`fire by their end: ORDER BY window_end, or PARTITION BY the keys`},
		{`SELECT zone, rank() OVER (PARTITION BY window_start ORDER BY count(*)) FROM trips ` +
			`GROUP BY zone, SESSION(pickup, 1m)`, ErrUnsupported,
			`1:21: unsupported: rank OVER a stream needs ORDER BY its time ascending ` +
				`(window_start or the event time), or PARTITION BY window_start (TUMBLE, ` +
				`HOP) or window_end (any window) to take each window's rows as a whole`},
	}
	f := tripsFixture(t)
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			_, _, err := f.plan(tt.sql)
			require.Error(t, err, tt.sql)
			require.ErrorIs(t, err, tt.kind, "%v", err)
			require.Equal(t, tt.msg, err.Error())
		})
	}
}

// TestAnalyticPlans checks calls that plan: lead over any partition, per window and over
// events, and the frames.
func TestAnalyticPlans(t *testing.T) {
	f := tripsFixture(t)
	for _, sql := range []string{
		`SELECT lead(fare, 2, 0) OVER (PARTITION BY zone ORDER BY pickup) FROM trips`,
		`SELECT lead(fare) OVER () FROM trips`,
		`SELECT zone, lead(count(*)) OVER (PARTITION BY zone ORDER BY window_start)
		FROM trips GROUP BY zone, TUMBLE(pickup, 1m)`,
		`SELECT zone, lead(count(*)) OVER (PARTITION BY window_start ORDER BY count(*))
		FROM trips GROUP BY zone, TUMBLE(pickup, 1m) ORDER BY zone LIMIT 2`,
		`SELECT avg(fare) OVER (PARTITION BY zone ORDER BY pickup
			RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW) FROM trips`,
		`SELECT count(*) OVER (ORDER BY pickup ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)
		FROM trips`,
		`SELECT lag(zone, 1, 0.5) OVER (ORDER BY pickup) FROM trips`,
		// One column written two ways is one time.
		`SELECT lag(fare) OVER (ORDER BY pickup), row_number() OVER (ORDER BY trips.pickup),
			rank() OVER (ORDER BY "pickup", fare) FROM trips`,
		`SELECT zone, lag(zone) OVER (ORDER BY window_start, zone) FROM trips
		GROUP BY zone, TUMBLE(pickup, 1m)`,
		`SELECT zone, rank() OVER (PARTITION BY window_start ORDER BY count(*) DESC),
			sum(count(*)) OVER (ORDER BY window_start) FROM trips
		GROUP BY zone, TUMBLE(pickup, 1m)`,
		`SELECT zone, rank() OVER (PARTITION BY window_end ORDER BY count(*) DESC),
			lag(zone) OVER (PARTITION BY zone ORDER BY window_start) FROM trips
		GROUP BY zone, SESSION(pickup, 1m)`,
	} {
		_, _, err := f.plan(sql)
		require.NoError(t, err, sql)
	}
}

// TestAnalyticExplainSaysLeadWaits checks that EXPLAIN tells that lead holds rows back over a
// stream, and not per window, where it reads the rows of the same firing.
func TestAnalyticExplainSaysLeadWaits(t *testing.T) {
	f := tripsFixture(t)
	p, _, err := f.plan(`SELECT lead(fare, 2) OVER (PARTITION BY zone ORDER BY pickup)
		FROM trips`)
	require.NoError(t, err)
	require.Contains(t, p.Explain.String(), "holds each row back until the row 2 after it in its "+
		"partition arrives")
	p, _, err = f.plan(`SELECT zone, lead(zone) OVER (PARTITION BY window_start
		ORDER BY count(*)) FROM trips GROUP BY zone, TUMBLE(pickup, 1m)`)
	require.NoError(t, err)
	require.NotContains(t, p.Explain.String(), "holds each row back")
}
