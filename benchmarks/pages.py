"""Time the registration pages and API list on a seeded region, per role.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thuiszitters_bench \
        .venv/bin/python benchmarks/pages.py

Run after ``benchmarks/seed_pupils.py --pupils 100000`` on the same database. Each page is
requested once to warm up, then three times; the best time and the query count are printed.
Results are recorded in docs/performance.md.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuiszitters.settings.dev")

USERS = ["leerplicht@demo.test", "zorgcoordinator.po@demo.test", "consulent.po@demo.test"]


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from registration.models import Pupil
    from registration.selectors import pupils_visible_to
    from thuiszitters.models import User

    print(f"pupils in the database: {Pupil.objects.count()}")
    for email in USERS:
        user = User.objects.get(email=email)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        pupil = pupils_visible_to(user).filter(absence_reports__isnull=False).first()
        pages = [
            ("pupil list", reverse("registration:pupil_list")),
            ("pupil search", reverse("registration:pupil_list") + "?q=Jansen"),
            ("report history", reverse("registration:report_list")),
            ("pupil page", reverse("registration:pupil_detail", args=[pupil.pk])),
            ("API reports", "/api/v1/absence-reports/"),
        ]
        for name, url in pages:
            client.get(url)
            best, queries, status = float("inf"), 0, 0
            for _ in range(3):
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = client.get(url)
                    best = min(best, time.perf_counter() - start)
                queries, status = len(ctx), response.status_code
            print(f"{email:30} {name:15} {status} {best * 1000:6.0f} ms {queries:3} queries")


if __name__ == "__main__":
    main()
