-- A first windowed query: one million events of the built-in Nexmark auction stream (its
-- 920,000 bids span 100 seconds of event time), counted every 10 seconds as windows fire.
--
--   go run ./cmd/weir examples/quickstart.sql

CREATE STREAM bids WITH (connector = 'nexmark', table = 'bid', events = 1000000);

SELECT window_start, count(*) AS bids, approx_count_distinct(bidder) AS bidders,
       max(price) AS top_price, p99(price) AS p99_price
FROM bids
GROUP BY TUMBLE(dateTime, 10s);
