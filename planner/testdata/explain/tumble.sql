SELECT host, count(*) AS requests, avg(latency), window_start
FROM requests
WHERE status < 500
GROUP BY host, TUMBLE(ts, INTERVAL '1' MINUTE)
HAVING count(*) > 10
