-- Queries of the Nexmark benchmark over a bounded stream of its bids: a million events of the
-- built-in generator (920,000 bids over 100 seconds of event time), so that each query ends
-- by itself. FROM nexmark.bid reads the same bids without end. Run from the repository's
-- root:
--
--   go run ./cmd/weir examples/nexmark.sql

CREATE STREAM bids (
  auction  BIGINT,
  bidder   BIGINT,
  price    BIGINT,
  channel  VARCHAR,
  url      VARCHAR,
  dateTime TIMESTAMP,
  extra    VARCHAR,
  WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', table = 'bid', events = 1000000, rate = 10000, seed = 1);

-- Q2, selection: the bids on a few auctions.
SELECT auction, price FROM bids WHERE auction = 1007 OR auction = 1020 OR auction = 2001
LIMIT 10;

-- Bids, bidders and the top price every 10 seconds.
SELECT window_start, window_end, count(*) AS bids, approx_count_distinct(bidder) AS bidders,
       max(price) AS top_price
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;

-- Q5, hot items: the three auctions with the most bids in each 10-second window sliding by
-- 2 seconds.
SELECT window_start, auction, count(*) AS num
FROM bids
GROUP BY auction, HOP(dateTime, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
ORDER BY num DESC
LIMIT 3;

-- Bids per channel of the four hot channels every 10 seconds.
SELECT window_start, channel, count(*) AS bids, avg(price) / 100 AS avg_dollars
FROM bids
WHERE channel IN ('Google', 'Facebook', 'Baidu', 'Apple')
GROUP BY channel, TUMBLE(dateTime, INTERVAL '10' SECOND);
