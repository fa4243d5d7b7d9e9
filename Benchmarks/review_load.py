#!/usr/bin/env python3
"""Load test of `qad review`: N reviewers label concurrently for T seconds on
loopback, while PNG_RENDERS clients (default 4) keep asking for large
(3000×2000) PNG figures. Prints the server's own time per request (its
Server-Timing header) and the client's for candidate, queue, label, session
and PNG, and checks in the store that every acknowledged label is stored
exactly once and nothing else was stored.

usage: review_load.py BASE_URL STORE_SQLITE SECONDS TOKEN...   (env PNG_RENDERS=n)
"""
import http.cookiejar, json, os, sqlite3, sys, threading, time, urllib.request, uuid

base, db_path, seconds, tokens = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
CLASSES = ["genuine_anomaly", "artifact", "known_phenomenon", "misclassified", "wrong_redshift", "not_anomalous", "unsure"]
lock = threading.Lock()
KINDS = ("candidate", "queue", "label", "session", "png")
timings = {k: [] for k in KINDS}
client_ms = {k: [] for k in KINDS}
PNG_RENDERS = int(os.environ.get("PNG_RENDERS", "4"))
acknowledged = []   # (reviewer name, client_event_id)
failures = []


def server_ms(resp):
    header = resp.headers.get("Server-Timing", "")
    return float(header.split("dur=")[1]) if "dur=" in header else float("nan")


def reviewer(token, renders_png=False):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/login?token={token}").read()
    session = json.loads(opener.open(f"{base}/api/session").read())
    csrf, name = session["csrf"], session["reviewer"]

    def get(kind, path):
        t = time.perf_counter()
        with opener.open(base + path) as r:
            body = r.read()
            ms = server_ms(r)
        with lock:
            timings[kind].append(ms)
            client_ms[kind].append(1000 * (time.perf_counter() - t))
        return body

    # TARGETIDs stay text: the queue's digits are cut out of the JSON, never parsed as floats.
    def queue_ids():
        text = get("queue", "/api/queue?limit=200").decode()
        return [part.split(",")[0].split("}")[0] for part in text.split('"targetid":')[1:]]

    ids, i, n = queue_ids(), 0, 0
    end = time.time() + seconds
    if renders_png:  # a figure client: large PNGs back to back, nothing else
        while time.time() < end:
            get("png", f"/figure/{ids[i % len(ids)]}.png?w=3000&h=2000")
            i += 1
        return
    while time.time() < end:
        if n % 10 == 0:
            get("session", "/api/session")
        if i >= len(ids):
            ids, i = queue_ids(), 0
        tid = ids[i]; i += 1
        get("candidate", f"/api/candidate/{tid}")
        event = str(uuid.uuid4())
        body = json.dumps({"targetid": tid, "class": CLASSES[n % len(CLASSES)], "confidence": 2,
                           "notes": f"load test {n}", "client_event_id": event}).encode()
        req = urllib.request.Request(f"{base}/api/label", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
        t = time.perf_counter()
        try:
            with opener.open(req) as r:
                r.read()
                ms = server_ms(r)
            with lock:
                timings["label"].append(ms)
                client_ms["label"].append(1000 * (time.perf_counter() - t))
                acknowledged.append((name, event))
        except Exception as e:  # a refused label is a failure to report, not to hide
            with lock:
                failures.append(repr(e))
        n += 1
        if n % 25 == 0:
            ids, i = queue_ids(), 0


def pct(values, p):
    v = sorted(x for x in values if x == x)
    return v[min(len(v) - 1, int(p / 100 * len(v)))] if v else float("nan")


# Only this run's events are checked (a reused store keeps earlier runs' events).
first_event = sqlite3.connect(db_path).execute("SELECT COALESCE(MAX(id), 0) FROM label_event").fetchone()[0]
threads = [threading.Thread(target=reviewer, args=(t,)) for t in tokens]
threads += [threading.Thread(target=reviewer, args=(tokens[k % len(tokens)], True)) for k in range(PNG_RENDERS)]
start = time.time()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.time() - start

db = sqlite3.connect(db_path)
stored = db.execute("SELECT COUNT(*) FROM label_event WHERE id > ?", (first_event,)).fetchone()[0]
dupes = db.execute("SELECT COUNT(*) FROM (SELECT reviewer_id, client_event_id FROM label_event "
                   "WHERE id > ? AND client_event_id IS NOT NULL GROUP BY 1, 2 HAVING COUNT(*) > 1)", (first_event,)).fetchone()[0]
names = dict(db.execute("SELECT id, name FROM reviewer").fetchall())
stored_keys = {(names[r], e) for r, e in db.execute(
    "SELECT reviewer_id, client_event_id FROM label_event WHERE id > ?", (first_event,))}
missing = sum(1 for k in acknowledged if k not in stored_keys)

print(f"reviewers {len(tokens)}, {elapsed:.1f} s, {len(acknowledged)} labels acknowledged "
      f"({len(acknowledged) / elapsed:.0f}/s), {len(failures)} refused")
print(f"label events stored {stored}, acknowledged but missing {missing}, duplicated {dupes}")
for kind in KINDS:
    print(f"{kind:9s} n={len(timings[kind]):6d}  server p50 {pct(timings[kind], 50):7.2f} ms  "
          f"p95 {pct(timings[kind], 95):7.2f} ms  p99 {pct(timings[kind], 99):7.2f} ms   "
          f"client p95 {pct(client_ms[kind], 95):7.2f} ms")
ok = missing == 0 and dupes == 0 and stored == len(acknowledged) and not failures
print("RESULT", "ok" if ok else "FAILED", f"| with {PNG_RENDERS} large PNG renders in flight, server p95:",
      f"candidate {pct(timings['candidate'], 95):.1f}, queue {pct(timings['queue'], 95):.1f},",
      f"label {pct(timings['label'], 95):.1f} ms (targets < 100 ms); session {pct(timings['session'], 95):.1f} ms (target < 50 ms)")
sys.exit(0 if ok else 1)
