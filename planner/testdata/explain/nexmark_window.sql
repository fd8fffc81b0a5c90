SELECT auction, count(*) AS num FROM nexmark.bid GROUP BY auction, HOP(dateTime, 2s, 10s)
