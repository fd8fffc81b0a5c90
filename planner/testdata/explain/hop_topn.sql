SELECT host, sum(bytes) AS total, window_end
FROM requests
GROUP BY host, HOP(ts, 10s, 1m)
ORDER BY total DESC
LIMIT 3
