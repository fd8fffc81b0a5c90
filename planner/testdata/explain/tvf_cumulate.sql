SELECT window_start, window_end, count(*) AS n
FROM TABLE(CUMULATE(TABLE requests, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY window_start, window_end
