-- wrk script for bench/load.sh: rotates through the URLs in the file given after "--",
-- one per line, and prints one summary line (wrk counts statuses outside 2xx/3xx).
local urls = {}
local counter = 0

function init(args)
    for line in io.lines(args[1]) do
        if line ~= "" then urls[#urls + 1] = line end
    end
end

function request()
    counter = counter + 1
    local path = urls[(counter % #urls) + 1]
    return wrk.format("GET", path)
end

function done(summary, latency, requests)
    io.write(string.format(
        "LOAD requests=%d duration_s=%.1f rps=%.1f p50_ms=%.1f p90_ms=%.1f " ..
        "p99_ms=%.1f max_ms=%.1f non2xx3xx=%d connect=%d read=%d write=%d timeout=%d\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000,
        summary.errors.status, summary.errors.connect, summary.errors.read,
        summary.errors.write, summary.errors.timeout))
end
