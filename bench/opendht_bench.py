#!/usr/bin/python3
"""The OpenDHT side of bench/Compare-OpenDht.ps1: N OpenDHT nodes on loopback in one process, put/get of
1 KiB values, p50/p99 in ms. The single-caller phase is the one of the shared opendht_bench.py (same boot,
same loop, same output fields); this copy adds a phase with C concurrent callers (threads, each putting a
value and getting it through other nodes), for throughput. Needs Debian's python3-opendht.
Usage: /usr/bin/python3 opendht_bench.py N OPS [CALLERS] [OPS_PER_CALLER]"""
import sys, time, threading, opendht as dht

n = int(sys.argv[1]) if len(sys.argv) > 1 else 16
ops = int(sys.argv[2]) if len(sys.argv) > 2 else 200
callers = int(sys.argv[3]) if len(sys.argv) > 3 else 16
per_caller = int(sys.argv[4]) if len(sys.argv) > 4 else 50
nodes = []
t0 = time.perf_counter()
first = dht.DhtRunner(); first.run()
nodes.append(first)
port = first.getBound().getPort()
for i in range(n - 1):
    r = dht.DhtRunner(); r.run()
    r.bootstrap("127.0.0.1", str(port))
    nodes.append(r)
time.sleep(3)  # let routing tables fill
boot = time.perf_counter() - t0
payload = b"x" * 1024

def q(xs, p): xs = sorted(xs); return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000

lat_put, lat_get, ok = [], [], 0
for i in range(ops):
    a = nodes[i % n]; b = nodes[(i * 7 + 3) % n]
    key = dht.InfoHash.get("file-%d" % i)
    t = time.perf_counter(); a.put(key, dht.Value(payload)); lat_put.append(time.perf_counter() - t)
    t = time.perf_counter(); vals = b.get(key); lat_get.append(time.perf_counter() - t)
    ok += any(bytes(v.data) == payload for v in vals)
print(f"opendht nodes={n} ops={ops} boot_s={boot:.1f} put_p50_ms={q(lat_put,.5):.2f} put_p99_ms={q(lat_put,.99):.2f} "
      f"get_p50_ms={q(lat_get,.5):.2f} get_p99_ms={q(lat_get,.99):.2f} found={ok}/{ops}", flush=True)

# Concurrent callers: first each puts its values, then all get them, each phase timed from the first start to the last end.
def run_phase(work):
    lat, found = [[] for _ in range(callers)], [0] * callers
    def caller(c):
        for j in range(per_caller):
            i = c * per_caller + j
            t = time.perf_counter(); found[c] += work(c, i); lat[c].append(time.perf_counter() - t)
    threads = [threading.Thread(target=caller, args=(c,)) for c in range(callers)]
    start = time.perf_counter()
    for th in threads: th.start()
    for th in threads: th.join()
    wall = time.perf_counter() - start
    return [x for xs in lat for x in xs], sum(found), wall

def put(c, i):
    nodes[(i * 13 + c) % n].put(dht.InfoHash.get("conc-%d" % i), dht.Value(payload)); return 1
def get(c, i):
    return int(any(bytes(v.data) == payload for v in nodes[(i * 7 + 3 + c) % n].get(dht.InfoHash.get("conc-%d" % i))))

total = callers * per_caller
cput, _, put_wall = run_phase(put)
cget, cfound, get_wall = run_phase(get)
print(f"opendht-concurrent callers={callers} ops={total} put_p50_ms={q(cput,.5):.2f} put_p99_ms={q(cput,.99):.2f} put_per_s={total/put_wall:.0f} "
      f"get_p50_ms={q(cget,.5):.2f} get_p99_ms={q(cget,.99):.2f} get_per_s={total/get_wall:.0f} found={cfound}/{total}", flush=True)
for r in nodes: r.join()
