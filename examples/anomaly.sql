-- Flag the 15-minute windows of a machine's temperature whose average lies more than 3 sample
-- standard deviations from the mean of the 24 windows before it (NAB's machine temperature
-- series, which replays one hour out of order: a watermark delay of 1 hour absorbs it).
--
--   go run ./cmd/weir examples/anomaly.sql

CREATE STREAM temps (
  timestamp TIMESTAMP,
  value     DOUBLE,
  WATERMARK FOR timestamp AS timestamp - INTERVAL '1' HOUR
) WITH (connector = 'file', format = 'csv',
        path = '../shared/data/nab/realKnownCause/machine_temperature_system_failure.csv');

SELECT window_start, avg(value) AS avg_value,
       zscore(avg(value)) OVER (ORDER BY window_start
                                ROWS BETWEEN 24 PRECEDING AND 1 PRECEDING) AS z
FROM temps
GROUP BY TUMBLE(timestamp, 15m)
QUALIFY abs(z) > 3;
