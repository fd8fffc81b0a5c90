-- Requests, bytes and latency per host and minute over a small sample of web requests
-- (examples/requests.csv: ten minutes of made-up traffic). Run from the repository's root:
--
--   go run ./cmd/weir examples/requests_per_minute.sql

CREATE STREAM requests (
  time       BIGINT,           -- epoch seconds
  host       VARCHAR,
  status     BIGINT,
  bytes      BIGINT,           -- empty for 304 responses: NULL
  latency_ms DOUBLE,
  ts AS to_timestamp(time),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'examples/requests.csv', format = 'csv');

SELECT window_start, host, count(*) AS requests, sum(bytes) AS bytes,
       avg(latency_ms) AS avg_ms, max(latency_ms) AS max_ms
FROM requests
WHERE status < 500
GROUP BY host, TUMBLE(ts, 1m);
