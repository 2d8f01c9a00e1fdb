"""The bench scripts' shared harness: wrk's summary read as numbers (bench/harness.py)."""
import pytest

from bench.harness import parse_wrk

WRK = """Running 10s test @ http://127.0.0.1:8811/movies/1/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.50ms    3.10ms  80.00ms   90.00%
  Latency Distribution
     50%   11.00ms
     75%   13.00ms
     90%  950.00us
     99%    1.20s
  4000 requests in 10.00s, 40.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:    400.00
Transfer/sec:      4.00MB
"""


def test_wrk_summary_is_read_in_milliseconds_with_every_error_counted():
    result = parse_wrk(WRK)
    assert (result["requests"], result["rps"], result["errors"]) == (4000, 400.0, 9)
    assert (result["p50"], result["p90"], result["p99"]) == pytest.approx((11.0, 0.95, 1200.0))
    assert result["latency"]["75"] == "13.00ms"
