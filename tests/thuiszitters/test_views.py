"""Pages: login, language, home per role, organisations, password change, logout."""

import pytest
from django.urls import reverse

from tests.page_text import shows
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode


def test_pages_need_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_dutch_by_default_and_english_on_request(client, db):
    dutch = client.get(reverse("login"))
    assert dutch.status_code == 200
    assert "Inloggen" in dutch.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    english = client.get(reverse("login"))
    assert "Log in" in english.content.decode()
    assert 'lang="en"' in english.content.decode()


@pytest.mark.parametrize("role", [r for r in RoleCode.values if r != RoleCode.SCHOOL_SYSTEM])
def test_home_shows_own_organisations_and_colleagues(world, user_with_role, login, role):
    user = user_with_role(role, full_name="Eerste Gebruiker")
    colleague = user_with_role(role, full_name="Tweede Collega")
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.home_of(role).name in html
    assert shows(html, colleague.full_name)
    assert (reverse("audit_log") in html) == (role == RoleCode.FUNCTIONAL_ADMIN)


def test_bad_login_shows_an_error_and_keeps_the_email(client, world, user_with_role):
    user = user_with_role(RoleCode.LEERPLICHT)
    response = client.post(reverse("login"), {"username": user.email, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert user.email in response.content.decode()


def test_password_change_is_audited(world, user_with_role, login, password):
    user = user_with_role(RoleCode.LEERPLICHT)
    client = login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "een-Lang-nieuw-wachtwoord-9",
            "new_password2": "een-Lang-nieuw-wachtwoord-9",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("een-Lang-nieuw-wachtwoord-9")
    entry = AuditLogEntry.objects.get(action=AuditAction.UPDATE, object_id=str(user.pk))
    assert entry.changes == {"fields": ["password"]}


def test_logout_is_a_post_and_is_audited(world, user_with_role, login):
    user = user_with_role(RoleCode.LEERPLICHT)
    client = login(user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert AuditLogEntry.objects.filter(action=AuditAction.LOGOUT, actor=user).exists()
    assert client.get(reverse("home")).status_code == 302


def test_organisation_detail_lists_schools_and_members(world, user_with_role, login):
    director = user_with_role(RoleCode.SWV_DIRECTOR, full_name="Dir Ecteur")
    response = login(director).get(reverse("organisation_detail", args=[world.swv.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "School A1" in html and "School A2" in html and "Dir Ecteur" in html
    assert world.swv.code in html


def test_organisation_list_filters_by_kind(world, user_with_role, login):
    client = login(user_with_role(RoleCode.FUNCTIONAL_ADMIN))
    response = client.get(reverse("organisation_list"), {"kind": "school"})
    names = {o.name for o in response.context["page"].object_list}
    assert names == {"School A1", "School A2", "VO School A"}
