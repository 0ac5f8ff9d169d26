"""A bounded load test of the pages and the API against a local gunicorn with production
settings, the same way for everyone (docs/performance.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thuiszitters_bench \\
        .venv/bin/python benchmarks/load.py --requests 50 --seconds 30

Run after ``seed_demo --pupils 100000`` on that database. The script collects the static
files, starts gunicorn (2 workers x 2 threads, production settings, plain HTTP on a local
port with ``X-Forwarded-Proto: https`` as a proxy would send it), signs the demo users in
(a verified second factor in the session, as a real sign-in leaves it), and then:

1. one user at a time: each request of the mix ``--requests`` times, each followed by a ping
   (``/healthz``, which does almost nothing), and prints p50/p95 per request and its ratio
   to the ping's p95;
2. ten users at once for ``--seconds`` (0: not): the same mix round-robin, and prints
   requests per second and errors.

``--against PATH`` serves another checkout beside this one (on the next port) and times
the two in turn, request by request, so that a machine whose speed drifts during a run
moves both alike: the way to compare a change with the main branch (a git worktree of it,
with a ``.venv``, or a symlink to this one's when the dependencies agree).

``--mix reports`` times the SWV director's dashboard, figures API and key figures instead
(benchmarks/reports.py runs it). With ``REDIS_URL`` set the workers share the figures cache
as in production; without it each worker keeps its own.

It only reads; it changes nothing but sessions and the audit log of the reads.
"""

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "thuiszitters.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "AUDIT_HASH_KEY": secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "localhost,127.0.0.1",
    "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "thuiszitters-load-static"),
    "SECURE_HSTS_SECONDS": "0",
    # Ten users as three people make more API requests than one person may (1200 a minute);
    # the rate is still counted on every request, as in production.
    "API_RATE_LIMIT": "100000/minute",
}
# The users of the mix: a school, an SWV consultant and a region-wide leerplicht bureau.
SCHOOL, SWV, REGION = (
    "zorgcoordinator.po@demo.test",
    "consulent.po@demo.test",
    "leerplicht@demo.test",
)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Server:
    def __init__(self, port: int, env: dict[str, str], root: Path = ROOT):
        self.port = port
        self.env = env
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Server":
        # A server already on the port (another run, or one left behind) would answer the
        # health check below, and the run would time it instead of this checkout.
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError:
                raise SystemExit(
                    f"Port {self.port} is in use: is another load run still going?"
                ) from None
        python = str(self.root / ".venv" / "bin" / "python")
        subprocess.run(  # noqa: S603 - fixed arguments
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=self.root,
            env=self.env,
            check=True,
        )
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(self.root / ".venv" / "bin" / "gunicorn"),
                "thuiszitters.wsgi",
                "--workers=2",
                "--threads=2",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
            ],
            cwd=self.root,
            env=self.env,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=10)
                return self
            except OSError:  # refused while it starts, or a first answer slower than that
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


def sessions(emails: list[str]) -> dict[str, str]:
    """A signed-in, second-factor-verified session cookie per user."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from thuiszitters.middleware import SESSION_LAST_ACTIVITY, SESSION_STARTED
    from thuiszitters.models import User

    cookies = {}
    for email in emails:
        user = User.objects.get(email=email)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="load test", confirmed=True)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[SESSION_STARTED] = session[SESSION_LAST_ACTIVITY] = int(time.time())
        session.save()
        cookies[email] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


def the_mix(cookies: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, user, path) of each request of the mix, for cases the users may read."""
    from django.db.models import Count

    from cases.selectors import cases_visible_to
    from thuiszitters.models import User

    consultant = User.objects.get(email=SWV)
    open_cases = cases_visible_to(consultant).open().order_by("-pk")
    case = open_cases.first()  # the newest: opened by the seed's last report, a thin file
    if case is None:
        raise SystemExit("The SWV consultant sees no open case: seed the region first.")
    # A file in progress, as most open cases are (the consultant's median open case has 1-3
    # meetings, 5 participants and 25 journal events): the newest with two or more meetings
    # and three or more participants.
    worked = (
        open_cases.annotate(
            meetings_n=Count("meetings", distinct=True),
            participants_n=Count("participants", distinct=True),
        )
        .filter(meetings_n__gte=2, participants_n__gte=3)
        .first()
    )
    mix = [
        ("case list, school", SCHOOL, "/werk/casussen/"),
        ("case list, SWV", SWV, "/werk/casussen/"),
        ("case list, region", REGION, "/werk/casussen/"),
        ("cases API, SWV", SWV, "/api/v1/cases/"),
        ("cases API, region", REGION, "/api/v1/cases/"),
        ("pupil list, school", SCHOOL, "/leerlingen/"),
        ("case page, SWV", SWV, f"/casussen/{case.pk}/"),
        ("case API detail, SWV", SWV, f"/api/v1/cases/{case.pk}/"),
    ]
    if worked is not None:
        mix += [
            ("case page, SWV, worked", SWV, f"/casussen/{worked.pk}/"),
            ("case API detail, worked", SWV, f"/api/v1/cases/{worked.pk}/"),
        ]
    return mix


DIRECTOR = "directeur.po@demo.test"


def the_reports_mix(cookies: dict[str, str]) -> list[tuple[str, str, str]]:
    """The SWV director's figures (``--mix reports``, run by benchmarks/reports.py): served
    from the figures cache after the first view, as a region in use serves them."""
    return [
        ("dashboard, SWV director", DIRECTOR, "/rapportages/"),
        ("figures API, SWV director", DIRECTOR, "/api/v1/reports/figures/"),
        ("key figures, SWV director", DIRECTOR, "/rapportages/kerncijfers/"),
    ]


def fetch(port: int, path: str, cookie: str | None) -> tuple[float, int]:
    headers = {"X-Forwarded-Proto": "https", "Host": "localhost"}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - http to us
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return time.perf_counter() - start, status


#: Rounds of the mix before timing. Each of the 2 x 2 worker threads has its own database
#: connection, which prepares a statement at its second run (DB_PREPARE_THRESHOLD) and
#: fills its catalog caches at its first queries: with 4 rounds, as before, a thread met
#: some statements for the first time inside the timed runs, and a request on a new
#: connection took 20-30 ms longer (docs/performance.md). 25 rounds give each thread about
#: six of each request, as a server in use has done.
WARM_UP_ROUNDS = 25


def warm_up(port: int, mix, cookies) -> None:
    for _ in range(WARM_UP_ROUNDS):
        for _name, email, path in mix:
            fetch(port, path, cookies[email])
            fetch(port, "/healthz", None)


def timed(ports: tuple[int, ...], mix, cookies, n: int):
    """Per port, the pings and each request's times: after a warm-up, ``n`` rounds of the
    mix, each request followed by a ping, sent to each port in turn (which first
    alternates from round to round)."""
    pings: dict[int, list[float]] = {port: [] for port in ports}
    times: dict[int, dict[str, list[float]]] = {
        port: {name: [] for name, _u, _p in mix} for port in ports
    }
    for port in ports:
        warm_up(port, mix, cookies)
    for round_ in range(n):
        for name, email, path in mix:
            for port in ports if round_ % 2 == 0 else ports[::-1]:
                elapsed, status = fetch(port, path, cookies[email])
                if status != 200:
                    raise SystemExit(f"{name}: HTTP {status} for {path} on port {port}")
                times[port][name].append(elapsed)
                pings[port].append(fetch(port, "/healthz", None)[0])
    return pings, times


def _cells(values: list[float], ping95: float | None = None) -> str:
    """p50 and p95 in ms, and the p95's ratio to ``ping95``."""
    p95 = percentile(values, 95)
    ratio = f"{p95 / ping95:5.1f}x" if ping95 else "      "
    return f"{statistics.median(values) * 1000:7.1f} {p95 * 1000:7.1f} {ratio}"


def one_user(port: int, mix, cookies, n: int) -> None:
    print(f"\nOne user: {n} of each, each followed by a ping (/healthz); p50 / p95 in ms")
    pings, times = timed((port,), mix, cookies, n)
    ping95 = percentile(pings[port], 95)
    print(f"{'ping':28} {_cells(pings[port])}")
    for name, values in times[port].items():
        print(f"{name:28} {_cells(values, ping95)} ping")


def one_user_against(ports: tuple[int, int], mix, cookies, n: int) -> None:
    """``one_user`` for two servers at once: each request of the mix and its ping go to
    both in turn, so that both meet the machine in the same state; a machine whose speed
    drifts during a run (a shared host) moves both alike."""
    print(
        f"\nOne user, two versions in turn: {n} of each, each followed by a ping; "
        "p50 / p95 in ms and the p95's ratio to its own ping's p95"
    )
    pings, times = timed(ports, mix, cookies, n)
    this, other = ports
    ping95 = {port: percentile(pings[port], 95) for port in ports}
    print(f"{'':28} {'this checkout':>24}   {'--against':>24}   p50 this/against")
    print(f"{'ping':28} {_cells(pings[this])}   {_cells(pings[other])}")
    for name in times[this]:
        mine, theirs = times[this][name], times[other][name]
        change = statistics.median(mine) / statistics.median(theirs)
        print(
            f"{name:28} {_cells(mine, ping95[this])}   {_cells(theirs, ping95[other])}"
            f"   {change:9.2f}"
        )


def ten_users(port: int, mix, cookies, seconds: float, users: int = 10) -> None:
    print(f"\n{users} users for {seconds:.0f} s, the same mix round-robin")
    done, errors = [0], [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def work(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            _name, email, path = mix[i % len(mix)]
            _elapsed, status = fetch(port, path, cookies[email])
            with lock:
                done[0] += 1
                errors[0] += status != 200
            i += 1

    threads = [threading.Thread(target=work, args=(k,)) for k in range(users)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    print(f"{done[0]} requests, {done[0] / elapsed:.1f} requests/s, {errors[0]} errors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="per request, one user")
    parser.add_argument("--seconds", type=float, default=30, help="of the ten-user run")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout (with its .venv) to serve beside this one on the next port "
        "and time in turn with it, e.g. a git worktree of the main branch",
    )
    parser.add_argument(
        "--mix",
        choices=["pages", "reports"],
        default="pages",
        help="pages: the case and pupil lists and pages; reports: the SWV director's figures",
    )
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("Set DATABASE_URL to the seeded database.")
    env = {**os.environ, **PROD_ENV}
    os.environ.update(PROD_ENV)
    if args.mix == "reports":
        cookies = sessions([DIRECTOR])
        mix = the_reports_mix(cookies)
    else:
        cookies = sessions([SCHOOL, SWV, REGION])
        mix = the_mix(cookies)
    if args.against is not None:
        ports = (args.port, args.port + 1)
        # Its own static files: the two versions' may differ.
        against_env = {**env, "STATIC_ROOT": env["STATIC_ROOT"] + "-against"}
        with Server(ports[0], env), Server(ports[1], against_env, args.against.resolve()):
            one_user_against(ports, mix, cookies, args.requests)
            if args.seconds > 0:
                for port, label in zip(ports, ("this checkout", "--against"), strict=True):
                    print(f"\n{label}:", end="")
                    ten_users(port, mix, cookies, args.seconds)
        return
    with Server(args.port, env):
        one_user(args.port, mix, cookies, args.requests)
        if args.seconds > 0:
            ten_users(args.port, mix, cookies, args.seconds)


if __name__ == "__main__":
    main()
