"""Every URL against every role: outsiders get 404/403 and never foreign data.

Each URL name of the project must have an entry (or be public); a new URL without one fails
``test_every_url_has_a_matrix_entry``. Apps add their entries in ``tests/<app>/deny_matrix.py``
or ``deny_matrix_<part>.py``: ``ENTRIES``, and ``add_foreign(world, foreign)``, which adds
region-B objects and the strings that must never leak (collected by ``foreign_world.py``
into the ``foreign`` fixture of ``conftest.py``, which the write matrix shares).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from thuiszitters.roles import RoleCode

from .foreign_world import EXTENSIONS

PUBLIC = {"login", "set_language", "healthz", "api-schema", "api-docs", "favicon"}

# name -> (how to build args from the foreign fixtures, what the URL is)
#   list: 200 for members, foreign rows absent
#   own: about the user themselves (200 for any member)
#   foreign_detail: a foreign object's detail: 404
#   admin_list: only with the audit capability: 404 (page) / 403 (API) for others
#   a set of role codes: 200 for those roles, 403/404 for the others
#   verified_moves_on: the second factor's pages send a verified session on (302)
CORE_ENTRIES = {
    "home": (None, "own"),
    "logout": (None, "post_only"),
    "password_change": (None, "own"),
    "password_change_done": (None, "own"),
    "organisation_list": (None, "list"),
    "organisation_detail": (lambda f: [f["swv"].pk], "foreign_detail"),
    "audit_log": (None, "admin_list"),
    "api-root": (None, "own"),
    "organisation-list": (None, "list"),
    "organisation-detail": (lambda f: [f["swv"].pk], "foreign_detail"),
    "school-list": (None, "list"),
    "school-detail": (lambda f: [f["school"].pk], "foreign_detail"),
    "user-list": (None, "list_for_colleague_viewers"),
    "user-detail": (lambda f: [f["user"].pk], "foreign_detail"),
    "user-me": (None, "own"),
    "membership-list": (None, "list_for_colleague_viewers"),
    "membership-detail": (lambda f: [f["membership"].pk], "foreign_detail"),
    "auditlogentry-list": (None, "admin_list"),
    "auditlogentry-detail": (lambda f: [f["audit"].pk], "foreign_detail"),
    "second_factor_verify": (None, "verified_moves_on"),
    "second_factor_setup": (None, "verified_moves_on"),
    "second_factor_reset": (lambda f: [f["user"].pk], "foreign_detail"),
}

MATRIX = dict(CORE_ENTRIES)
for _ext in EXTENSIONS:
    MATRIX.update(_ext.ENTRIES)

ROLES = [r for r in RoleCode.values if r != RoleCode.SCHOOL_SYSTEM]
COLLEAGUE_VIEWERS = set(ROLES)  # every human role holds view_colleagues


def _names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _names(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_every_url_has_a_matrix_entry():
    names = set(_names(get_resolver().url_patterns))
    assert names - PUBLIC - set(MATRIX) == set(), "add the new URL to MATRIX"
    assert set(MATRIX) - names == set(), "MATRIX names a URL that no longer exists"


def _url(name, foreign):
    build, _kind = MATRIX[name]
    return reverse(name, args=build(foreign) if build else None)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login_or_refused(world, foreign, client, name):
    response = client.get(_url(name, foreign))
    if "/api/" in _url(name, foreign):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    for secret in foreign["secrets"]:
        assert secret.encode() not in response.content


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_members_of_region_a_never_see_region_b(world, foreign, user_with_role, login, role, name):
    client = login(user_with_role(role))
    _build, kind = MATRIX[name]
    response = client.get(_url(name, foreign))
    if isinstance(kind, set | frozenset):
        assert response.status_code == 200 if role in kind else response.status_code in (403, 404)
    elif kind == "foreign_detail":
        assert response.status_code in (403, 404)
    elif kind == "admin_list":
        expected_ok = role == RoleCode.FUNCTIONAL_ADMIN
        assert response.status_code == 200 if expected_ok else response.status_code in (403, 404)
    elif kind == "post_only":
        assert response.status_code == 405
    elif kind == "verified_moves_on":  # the second factor's pages, for a verified session
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("login"))
    elif kind == "list_for_colleague_viewers":
        assert response.status_code == (200 if role in COLLEAGUE_VIEWERS else 403)
    else:
        assert response.status_code == 200
    for secret in foreign["secrets"]:
        assert secret.encode() not in response.content, f"{secret} leaked to {role} at {name}"
