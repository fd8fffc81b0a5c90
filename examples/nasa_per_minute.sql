-- Requests and bytes per minute of the NASA Kennedy Space Center web log of 1 August 1995.
-- The data set is not part of the repository: it sits in ../shared/data beside it.
--
--   go run ./cmd/weir examples/nasa_per_minute.sql

CREATE STREAM nasa (
  host     VARCHAR,
  time     BIGINT,      -- epoch seconds
  method   VARCHAR,
  url      VARCHAR,
  response BIGINT,
  bytes    BIGINT
) WITH (connector = 'file', path = '../shared/data/nasa-http/nasa_19950801.tsv', format = 'tsv');

SELECT window_start, count(*) AS requests, sum(bytes) AS bytes
FROM nasa
GROUP BY TUMBLE(to_timestamp(time), 1m);
