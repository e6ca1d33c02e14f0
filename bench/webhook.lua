-- wrk script: POST a ~1.5 KB ShipStation V1 webhook, each with a fresh
-- importBatch so none is a duplicate. BENCH_PATH and BENCH_BASE come
-- from the environment; done() prints what was acknowledged.
local path = os.getenv("BENCH_PATH")
local base = os.getenv("BENCH_BASE")
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local pad = string.rep("x", 1300)
local n = 0

request = function()
	n = n + 1
	local body = string.format(
	    '{"resource_url":"%s/orders?storeID=1&importBatch=%s-%d",' ..
	    '"resource_type":"ORDER_NOTIFY","note":"%s"}', base, run, n, pad)
	return wrk.format("POST", path,
	    { ["Content-Type"] = "application/json" }, body)
end

done = function(summary, latency, requests)
	local e = summary.errors
	local sockerr = e.connect + e.read + e.write + e.timeout
	io.write(string.format("ACKED %d\n",
	    summary.requests - e.status - sockerr))
	io.write(string.format("P99_MS %.3f\n", latency:percentile(99) / 1000))
	io.write(string.format("P50_MS %.3f\n", latency:percentile(50) / 1000))
	io.write(string.format("RPS %.0f\n", summary.requests /
	    (summary.duration / 1e6)))
	io.write(string.format("ERRORS %d\n", e.status + sockerr))
end
