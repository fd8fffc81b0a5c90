-- Valid weir statements, one script. The parser's tests parse this file whole, round-trip
-- each statement (print, parse again, compare the trees) and seed the fuzz target with them.
-- A statement runs from its first token to the ";" after it; comments between statements
-- belong to no statement.

-- DESIGN.md's examples.
CREATE STREAM trips (
  pickup TIMESTAMP,
  zone   BIGINT,
  fare   DOUBLE,
  WATERMARK FOR pickup AS pickup - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'trips.csv', format = 'csv');

SELECT zone, count(*) AS trips, avg(fare), p99(fare), window_start, window_end
FROM trips
WHERE fare > 0
GROUP BY zone, TUMBLE(pickup, 15m);

CREATE STREAM bids WITH (connector = 'nexmark', table = 'bid', events = 1000000,
  rate = 10000, seed = 1, pace = false);

CREATE STREAM gen (
  id    BIGINT,
  name  VARCHAR,
  score DOUBLE
) WITH (connector = 'datagen', rows = 100, 'fields.id.kind' = 'sequence',
  'fields.id.min' = 1, 'fields.id.max' = 100, 'fields.name.values' = 'a,b,c',
  'fields.name.length' = 5);

CREATE STREAM files (line VARCHAR)
WITH (connector = 'file', path = 'logs/*.log.gz', format = 'regex',
  pattern = '^(\S+) (\S+)$', null = '-', on_error = 'deadletter',
  deadletter = 'bad.txt', filename = true, timezone = 'Europe/Paris');

CREATE STREAM requests (
  time       BIGINT,           -- epoch seconds
  host       VARCHAR,
  status     BIGINT,
  bytes      BIGINT,
  latency_ms DOUBLE,
  ts AS to_timestamp(time),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'examples/requests.csv', format = 'csv');

SELECT window_start, host, count(*) AS requests, sum(bytes) AS bytes,
       avg(latency_ms) AS avg_ms, max(latency_ms) AS max_ms
FROM requests
WHERE status < 500
GROUP BY host, TUMBLE(ts, 1m);

SELECT host, avg(latency) AS lat,
       zscore(avg(latency)) OVER (PARTITION BY host ORDER BY window_start
                                  ROWS BETWEEN 20 PRECEDING AND 1 PRECEDING) AS z
FROM requests GROUP BY host, TUMBLE(ts, 1m);

SELECT host, latency,
       avg(latency) OVER (PARTITION BY host ORDER BY ts RANGE INTERVAL '5' MINUTE PRECEDING)
FROM requests;

SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY fare), percentile_cont(fare, 0.5),
       percentile_disc(0.9) WITHIN GROUP (ORDER BY fare DESC), median(fare),
       approx_count_distinct(zone), count(DISTINCT zone), stddev_pop(fare), rate()
FROM trips GROUP BY HOP(pickup, 5m, 15m);

SELECT zone, count(*) FILTER (WHERE fare > 100) AS big, count(*) AS all_trips
FROM trips GROUP BY zone, SESSION(pickup, 10m) HAVING count(*) > 10;

SELECT zone, sum(fare) FROM trips
GROUP BY zone, CUMULATE(pickup, 1h, 1d)
ALLOWED LATENESS 5m
EMIT EVERY 1m;

SELECT zone, count(*) FROM trips GROUP BY zone EMIT CHANGES;

SELECT zone, count(*) FROM trips GROUP BY zone, TUMBLE(pickup, 1h, 30m) EMIT FINAL
ORDER BY count(*) DESC LIMIT 3;

-- Flink's window table functions and Top-N.
SELECT window_start, window_end, sum(price)
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;

SELECT window_start, window_end, auction, count(*) AS bids
FROM TABLE(HOP(TABLE nexmark.bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND,
  INTERVAL '10' SECOND))
GROUP BY auction, window_start, window_end;

SELECT window_start, window_end, bidder, count(*)
FROM TABLE(SESSION(TABLE nexmark.bid PARTITION BY bidder, DESCRIPTOR(dateTime),
  INTERVAL '5' MINUTE))
GROUP BY bidder, window_start, window_end;

SELECT * FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(ts), INTERVAL '2' MINUTE,
  INTERVAL '10' MINUTE));

SELECT *
FROM (
  SELECT window_start, window_end, auction, count(*) AS n,
         ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY count(*) DESC) AS rn
  FROM TABLE(TUMBLE(TABLE nexmark.bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
  GROUP BY auction, window_start, window_end
) AS ranked
WHERE rn <= 3;

SELECT auction, count(*) AS n
FROM nexmark.bid
GROUP BY auction, TUMBLE(dateTime, 10s)
QUALIFY row_number() OVER (PARTITION BY window_start ORDER BY n DESC NULLS LAST) <= 3;

SELECT TUMBLE_START(dateTime, INTERVAL '10' SECOND), TUMBLE_END(dateTime, INTERVAL '10' SECOND),
       count(*)
FROM nexmark.bid GROUP BY TUMBLE(dateTime, INTERVAL '10' SECOND);

-- Files queried directly, DuckDB style.
SELECT * FROM 'trips.csv';
SELECT count(*) FROM read_csv('trips.csv', header => true, delimiter => ';') AS t;
SELECT * FROM read_json('events/*.json');
SELECT * FROM stdin;

-- Expressions of every kind.
SELECT a + b * c - d / e // f % g, -a, - -a, -5, - -5, +a, (a + b) * c, a - (b - c),
       a || 'x' || b, NOT a, NOT NOT a, a AND b OR c, a OR b AND c, (a OR b) AND c
FROM t;

SELECT CASE WHEN x > 0 THEN 'pos' WHEN x < 0 THEN 'neg' ELSE 'zero' END,
       CASE x WHEN 1 THEN 'one' END,
       CAST(x AS BIGINT), x::DOUBLE, CAST(y AS DOUBLE PRECISION), y::varchar(10),
       -x::int, -5::int, coalesce(a, b, 0), nullif(a, 0), EXTRACT(HOUR FROM ts),
       date_trunc('minute', ts), epoch_ms(ts), now(), left(s, 2), right(s, 3)
FROM t;

SELECT * FROM t
WHERE a IN (1, 2, 3) AND b NOT IN ('x', 'y') AND c BETWEEN 1 AND 10
  AND d NOT BETWEEN -1 AND 1 AND e LIKE 'a%' AND f NOT ILIKE '%B'
  AND g IS NULL AND h IS NOT NULL AND i IS DISTINCT FROM j
  AND k IS NOT DISTINCT FROM l AND m IS TRUE AND n IS NOT FALSE;

SELECT 42, -9223372036854775808, 9223372036854775807, 3.14, .5, 1., 1e10, 2.5E-3,
       'it''s', '', TRUE, FALSE, NULL, TIMESTAMP '2024-01-01 00:00:00',
       DATE '2024-01-01', INTERVAL '5' SECOND, INTERVAL '5 seconds',
       INTERVAL '1 hour 30 minutes', INTERVAL 2 DAYS, 5s, 15m, 1h, 500ms, 1d, 250us, 1.5h;

SELECT t.a, t.*, nexmark.bid.price, "Quoted Name", "a""b", t."from", t.from, a$b
FROM t;

SELECT time, timestamp, user, value, key, window, count, start, date, table
FROM events WHERE user = 'x' AND key <> value;

SELECT ts - 5s AS earlier, to_timestamp(time) + INTERVAL '1' HOUR AS later,
       to_timestamp_ms(ms), window_start AS start
FROM events;

SELECT 2 ^ 3 AS p, 2 ** 0.5, -x ^ 2, x ^ 2 ^ 3 * 4, (x ^ 2) ^ 3, 10 ^ -x FROM events;

-- Clauses, CTEs, unions.
SELECT DISTINCT zone FROM trips AS t WHERE fare > 0 ORDER BY zone LIMIT 10 OFFSET 20;

WITH big AS (SELECT * FROM bids WHERE price > 100),
     small AS (SELECT * FROM bids WHERE price <= 100)
SELECT count(*) FROM big UNION ALL SELECT count(*) FROM small;

WITH a AS (WITH b AS (SELECT 1 AS x) SELECT x FROM b) SELECT x FROM a;

SELECT s.n FROM (SELECT count(*) AS n FROM (SELECT * FROM t) AS inner_t) s;

SELECT 1 AS one;

SELECT 1 + 2 AS x, 'a' || 'b', now(), CAST('2024-01-01' AS TIMESTAMP) WHERE 1 < 2;

SELECT count(*) WHERE FALSE;

SELECT "Fare" AS "Price", fare price FROM "Trips";

-- Other statements.
DROP STREAM trips;
DROP STREAM IF EXISTS nexmark.bid;
SET late_file = 'late.csv';
SET batch_size TO 4096;
SHOW STREAMS;
SHOW FUNCTIONS;
DESCRIBE trips;
DESC nexmark.bid;
DESCRIBE SELECT zone, fare ^ 2 AS sq, count(*) FROM trips GROUP BY zone, fare;
DESCRIBE (SELECT 2 ** 10 AS kb);
DESCRIBE WITH c AS (SELECT 1 AS x) SELECT x FROM c UNION ALL SELECT 2;
DESCRIBE 'trips.csv';
DESCRIBE TABLE 'trips.csv';
EXPLAIN SELECT zone, count(*) FROM trips GROUP BY zone, TUMBLE(pickup, 15m);
EXPLAIN ANALYZE SELECT count(*) FROM trips;
