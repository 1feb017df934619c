"""What a cook does first on a production server: log in, ask for a menu plan, see it solved.

Run by .ci/smoke-prod against `make prod`; stdlib only, so it needs nothing the server does not.
Usage: smoke_client.py BASE_URL [USERNAME PASSWORD]. Exits non-zero with the reason on failure.
"""

import http.cookiejar
import json
import re
import sys
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta

TIMEOUT_S = 120


def main(base: str, username: str, password: str) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path: str) -> tuple[str, str]:
        with opener.open(base + path, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def post(path: str, fields: dict, referer: str) -> str:
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": csrf}).encode()
        request = urllib.request.Request(base + path, data=data, headers={"Referer": referer})
        with opener.open(request, timeout=30) as response:
            return response.read().decode()

    health = json.loads(get("/healthz")[1])
    print("healthz:", json.dumps(health))
    if health.get("status") != "ok":
        sys.exit(f"/healthz is not ok: {health}")

    get("/accounts/login/")
    post(
        "/accounts/login/",
        {"username": username, "password": password, "next": "/menus/"},
        base + "/accounts/login/",
    )
    url, page = get("/menus/")
    found = re.search(r"/menus/(\d+)/", url)
    if not found:
        sys.exit(f"login failed or no canteen: landed on {url}")
    canteen = found.group(1)
    monday = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)
    answer = post(
        f"/menus/{canteen}/plan/",
        {"preset": "cheapest", "keep_existing": "on", "start": monday.isoformat(), "weeks": 1},
        url,
    )
    run = re.search(r"/menus/runs/(\d+)/", answer)
    if not run:
        sys.exit(f"the plan request did not queue a run: {answer[:300]}")
    print(f"plan run {run.group(1)} queued for canteen {canteen}, week of {monday}")
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        status = re.search(r'class="plan-run status-(\w+)"', get(f"/menus/runs/{run.group(1)}/")[1])
        if status and status.group(1) not in ("queued", "running"):
            # A worker solved it: whatever the planner answered (a plan, or rules that cannot
            # all hold that week), the job ran; a failed run means the worker did not.
            print("plan run finished:", status.group(1))
            if status.group(1) == "failed":
                sys.exit("the plan run failed: see the worker's log")
            return
        time.sleep(1)
    sys.exit(f"the plan run was still queued or running after {TIMEOUT_S} s: is a worker up?")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0].rstrip("/"), *(args[1:3] or ["cuisinier", "cantine-demo-2026"]))
