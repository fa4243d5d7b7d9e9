#!/usr/bin/env python3
"""Re-rank after each label through the review app, on a real store.

  relevance_live.py BASE_URL TOKEN [--labels 20]

Signs in, asks for the relevance queue (the first request reads every score
record and builds the features), then labels the queue's first candidate
"artifact" and asks for the re-ranked queue again, --labels times. Prints the
client's wall time and the server's (Server-Timing) for each request.
"""
import argparse
import http.cookiejar
import json
import statistics
import time
import urllib.request


def server_ms(resp):
    for part in resp.headers.get("Server-Timing", "").split(","):
        if "dur=" in part:
            return float(part.split("dur=")[1].split(";")[0])
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("token")
    ap.add_argument("--labels", type=int, default=20)
    a = ap.parse_args()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener.open(f"{a.base}/login?token={a.token}").read()
    csrf = json.loads(opener.open(f"{a.base}/api/session").read())["csrf"]
    queue_url = f"{a.base}/api/queue?order=relevance&relevance=me&limit=50"

    def queue():
        t = time.perf_counter()
        resp = opener.open(queue_url)
        body = json.loads(resp.read(), parse_int=str)
        return body, 1000 * (time.perf_counter() - t), server_ms(resp)

    body, wall, server = queue()
    print(f"first relevance queue: {body['total']} candidates in the pool, {wall:.0f} ms wall, {server:.0f} ms server")
    walls, servers = [], []
    for i in range(a.labels):
        target = body["items"][0]["targetid"]
        req = urllib.request.Request(f"{a.base}/api/label", method="POST",
                                     data=json.dumps({"targetid": target, "class": "artifact"}).encode(),
                                     headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
        opener.open(req).read()
        body, wall, server = queue()
        assert all(item["targetid"] != target for item in body["items"]), "a labelled candidate is still queued"
        walls.append(wall)
        servers.append(server)
        print(f"label {i + 1}: re-ranked queue in {wall:.1f} ms wall, {server:.1f} ms server; learned from {body['labels']} labels")
    print(f"re-rank after a label: median {statistics.median(walls):.1f} ms wall ({statistics.median(servers):.1f} ms server), "
          f"longest {max(walls):.1f} ms")


if __name__ == "__main__":
    main()
