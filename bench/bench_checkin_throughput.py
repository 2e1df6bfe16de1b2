"""The full public check-in served by gunicorn (WSGI, production settings) on PostgreSQL,
64 connections for 15 s (wrk), against a minimal Django view that inserts one row into the
same table, served the same way in the same run (issue 3, C2).

Full check-in: POST /c/<token>/ with a bound person's name, document number and phone and a
declaration, i.e. rate limits, token check, form validation, identity deduplication by keyed
hash, the binding check (name and bound phone) and the idempotent insert. Targets: ratio ≥
0.7, p99 ≤ 150 ms, no errors, rows written == successful responses."""

import base64
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

from common import ROOT, report, setup_django

setup_django()

from shuangying.checkins.models import CheckIn  # noqa: E402
from shuangying.identity.models import PublicIdentity  # noqa: E402
from shuangying.people.models import Person  # noqa: E402
from shuangying.places.models import Place  # noqa: E402
from shuangying.places.services import create_place  # noqa: E402

HERE = Path(__file__).resolve().parent
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
# As docs/operations.md runs it: sync workers, 4 per core (each request also waits on
# PostgreSQL). gthread workers (BENCH_WORKER_CLASS=gthread BENCH_THREADS=4) have a far
# worse p99 (docs/scaling.md, "Measured"): keep-alive connections stay with the worker that
# accepted them, however busy.
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = os.environ.get("BENCH_THREADS", "1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVER_SECRET_KEY = secrets.token_urlsafe(48) + "Aa1!"


def server_token(code) -> str:
    """The place code's token as the server (its own SECRET_KEY) signs it."""
    from django.core import signing

    from shuangying.places.tokens import SALT

    return signing.Signer(key=SERVER_SECRET_KEY, salt=SALT).sign(code.nonce)


def server_env(place_id: int, person_id: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "checkin_bench_settings",
        "PYTHONPATH": f"{HERE}:{ROOT}",
        "SECRET_KEY": SERVER_SECRET_KEY,
        # Real keys, as production demands. Persons the bench county stored under the
        # development keys are therefore new to this server on their first check-in and
        # joined by their keyed hash from the second on: the steady state measured here.
        "SHUANGYING_DATA_KEYS": "bench1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "SHUANGYING_HASH_KEY": secrets.token_urlsafe(32),
        "SHUANGYING_HEALTHCODE_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SHUANGYING_PUBLIC_BASE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "BENCH_PLACE_ID": str(place_id),
        "BENCH_PERSON_ID": str(person_id),
    }


def wait_up(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
            return
        except Exception:  # noqa: BLE001
            time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def run_wrk(
    port: int, path: str, bodies: Path | None, cookie: str, run: int, seconds: int = SECONDS
) -> dict:
    env = {
        **os.environ,
        "BENCH_PATH": path,
        "BENCH_COOKIE": cookie,
        "BENCH_RUN": str(run),
    }
    if bodies:
        env["BODIES_FILE"] = str(bodies)
    out = subprocess.run(
        [
            "wrk",
            "-t4",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "--latency",
            "-s",
            str(HERE / "checkin_wrk.lua"),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = (int(bad.group(1)) if bad else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {
        "requests": requests,
        "rps": rps,
        "errors": errors,
        "p99_ms": float(p99.group(1)) * scale,
        "raw": out,
    }


def settled_count() -> int:
    """Rows once the requests still in flight when wrk stopped have been written."""
    count = CheckIn.objects.count()
    while True:
        time.sleep(0.5)
        again = CheckIn.objects.count()
        if again == count:
            return count
        count = again


def cpu_seconds(pattern: str) -> float:
    """CPU time (user + system) of the processes whose command line matches ``pattern``,
    with that of their children that have exited (a PostgreSQL backend that ends adds its time
    to the postmaster's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in subprocess.run(
        ["pgrep", "-f", pattern], capture_output=True, text=True
    ).stdout.split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / ticks
    return total


def cpu_snapshot() -> tuple[float, float, float]:
    return cpu_seconds("gunicorn shuangying.wsgi"), cpu_seconds("postgres"), cpu_seconds("^wrk")


def warm_once(port: int, path: str, body: str, cookie: str) -> None:
    data = f"{body}&client_uuid={uuid.uuid4()}".encode()
    request = urllib.request.Request(  # noqa: S310 - the bench's own server
        f"http://127.0.0.1:{port}{path}",
        data=data,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def csrf_for(port: int, path: str) -> tuple[str, str]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}{path}", timeout=10).read().decode()  # noqa: S310
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return token, cookie


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    place = Place.objects.filter(name="压测农贸市场").first() or create_place(
        type="market",
        name="压测农贸市场",
        division=Person.objects.order_by("pk").first().division,
    )
    code = place.codes.get(revoked_at__isnull=True)
    people = list(Person.objects.order_by("pk")[:500])
    port = free_port()
    env = server_env(place.pk, people[0].pk)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=HERE,
        check=True,
    )
    workers = int(os.environ.get("BENCH_WORKERS", str(4 * (os.cpu_count() or 1))))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "shuangying.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            WORKER_CLASS,
            "--threads",
            THREADS,
            "--keep-alive",
            "5",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=HERE,
    )
    tmp = Path(tempfile.mkdtemp(prefix="sy-bench-checkin-"))
    try:
        wait_up(port)
        path = f"/c/{server_token(code)}/"
        csrf, cookie = csrf_for(port, path)
        bodies = tmp / "bodies.txt"
        with bodies.open("w") as f:
            for p in people:
                f.write(
                    urllib.parse.urlencode(
                        {
                            "csrfmiddlewaretoken": csrf,
                            "name": p.name,
                            "document_type": p.document_type,
                            "id_number": p.reveal_id_number(),
                            "phone": p.reveal_phone() or "13800000000",
                            "temperature": "36.5",
                            "travel": "none",
                            "c0-document_type": "resident_id",
                            "c1-document_type": "resident_id",
                            "c2-document_type": "resident_id",
                        }
                    )
                    + "\n"
                )
        run_tag = int(time.time()) % 0xFFFFFFF
        # Warm the full path first: the server's own keys make the bench persons new to it
        # on their first scan (a registration each, unverified and unbound); a grid worker
        # then verifies them, and their next scan binds them by the registry's phone. The
        # steady state measured is a known, bound person scanning. (wrk's threads each start
        # at the first body, so a timed warm-up would leave most of them unregistered.)
        start = time.perf_counter()
        last_before = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for line in bodies.read_text().splitlines():
            warm_once(port, path, line, cookie)
        Person.objects.filter(pk__gt=last_before).update(is_verified=True)
        for line in bodies.read_text().splitlines():
            warm_once(port, path, line, cookie)
        bound = PublicIdentity.objects.filter(person__pk__gt=last_before).count()
        print(
            f"  warm-up: each of the {len(people)} bench persons checked in, was verified and "
            f"bound ({bound} bound, {time.perf_counter() - start:.1f} s)",
            flush=True,
        )
        # Alternate the two, ROUNDS times each: on a shared machine the load changes from
        # one run to the next, so each full run is compared with the baseline run just
        # before it and the median of those ratios is the figure.
        rounds = []
        cpu = {"minimal": [0.0, 0.0, 0], "full": [0.0, 0.0, 0]}
        for r in range(ROUNDS):
            before = settled_count()
            c0 = cpu_snapshot()
            base = run_wrk(port, "/bench/minimal-insert/", None, "", run_tag + 10 * r)
            c1 = cpu_snapshot()
            mid = settled_count()
            full = run_wrk(port, path, bodies, cookie, run_tag + 10 * r + 1)
            c2 = cpu_snapshot()
            after = settled_count()
            rounds.append((base, full, before, mid, after))
            for key, a, b, run in (("minimal", c0, c1, base), ("full", c1, c2, full)):
                cpu[key][0] += b[0] - a[0]
                cpu[key][1] += b[1] - a[1]
                cpu[key][2] += run["requests"]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    ratios, all_ok = [], True
    for i, (base, full, before, mid, after) in enumerate(rounds, 1):
        base_ok = base["requests"] - base["errors"]
        full_ok = full["requests"] - full["errors"]
        # wrk stops at the deadline with up to one request per connection in flight: the
        # server finishes and stores those, wrk drops their answers. Every answer must have
        # its row, and at most CONNECTIONS rows may lack a counted answer.
        in_flight = (after - mid) - full_ok
        rows_match = 0 <= in_flight <= CONNECTIONS and 0 <= (mid - before) - base_ok <= CONNECTIONS
        all_ok = all_ok and rows_match and not (full["errors"] or base["errors"])
        ratios.append(full["rps"] / base["rps"])
        print(
            f"  round {i}: minimal insert {base['rps']:.0f} req/s p99 {base['p99_ms']:.1f} ms "
            f"errors {base['errors']} rows {mid - before} for {base_ok} answers | "
            f"full check-in {full['rps']:.0f} req/s p99 {full['p99_ms']:.1f} ms "
            f"errors {full['errors']} rows {after - mid} for {full_ok} answers "
            f"({in_flight} in flight) | ratio {ratios[-1]:.2f}",
            flush=True,
        )
        if full["errors"] or base["errors"]:
            print(full["raw"], base["raw"], flush=True)
    for key, (app, db, n) in cpu.items():
        print(
            f"  CPU per request, {key}: server {app / max(n, 1) * 1000:.2f} ms, "
            f"PostgreSQL {db / max(n, 1) * 1000:.2f} ms",
            flush=True,
        )
    middle = sorted(range(ROUNDS), key=lambda i: ratios[i])[ROUNDS // 2]
    base, full = rounds[middle][0], rounds[middle][1]
    ratio = ratios[middle]
    report(
        f"public check-in, gunicorn, {CONNECTIONS} connections x {SECONDS} s "
        f"(median of {ROUNDS} alternating rounds)",
        f"{full['rps']:.0f} req/s p99 {full['p99_ms']:.0f} ms errors {full['errors']}",
        f"{base['rps']:.0f} req/s p99 {base['p99_ms']:.0f} ms minimal insert view",
        ratio,
        ">= 0.7, p99 <= 150 ms, 0 errors, rows == answers (+ in flight)",
        ratio >= 0.7 and full["p99_ms"] <= 150 and all_ok,
    )


if __name__ == "__main__":
    main()
