"""Residents' pages: joining by code with the HTML form, the capture page, its no-JS path, languages."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.webapp.capture_support import make_walk
from tests.webapp.support import csrf_from, url
from webapp.services import observations


@pytest.fixture
def walk(app, db_session):  # type: ignore[no-untyped-def]
    return make_walk()


def _join(client, code="k7pm 3q", **profile):  # type: ignore[no-untyped-def]
    page = client.get(url("residents.join", code=code)).get_data(as_text=True)
    return client.post(
        url("residents.join_post"), data={"code": code, "csrf_token": csrf_from(page), **profile}
    )


def test_join_page_is_french_and_prefills_the_code_from_the_qr_link(client, walk):
    page = client.get(url("residents.join", code="K7PM3Q")).get_data(as_text=True)
    assert 'lang="fr"' in page and "Rejoindre une marche" in page
    assert 'value="K7PM3Q"' in page
    assert page.count("Je préfère ne pas répondre") == 3


def test_join_page_is_available_in_english(client, walk):
    page = client.get(url("residents.join", lang="en")).get_data(as_text=True)
    assert 'lang="en"' in page and "Join a walk" in page and "I prefer not to say" in page
    assert "Walk code" in client.get(url("residents.join")).get_data(as_text=True)  # remembered in a cookie


def test_joining_with_the_form_sets_the_participant_cookie_and_opens_the_capture_page(client, walk):
    response = _join(client, age_band="65+")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url("residents.capture", code="K7PM3Q"))
    cookie = response.headers["Set-Cookie"]
    assert "arpenteur_participant=" in cookie and "HttpOnly" in cookie
    page = client.get(url("residents.capture", code="K7PM3Q"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Marche de test" in html and "Éclairage" in html and "capture-config" in html
    assert page.headers["Cache-Control"] == "private, no-cache"


def test_join_form_without_csrf_token_is_refused(client, walk):
    assert client.post(url("residents.join_post"), data={"code": "K7PM3Q"}).status_code == 400


def test_unknown_code_is_explained_on_the_join_page(client, walk):
    response = _join(client, code="ZZZZZZ")
    assert response.status_code == 404
    assert "aucune marche" in response.get_data(as_text=True)


def test_capture_page_without_participation_sends_to_the_join_page(client, walk):
    response = client.get(url("residents.capture", code="K7PM3Q"))
    assert (
        response.status_code == 302 and url("residents.join", code="K7PM3Q") in response.headers["Location"]
    )


def test_plain_form_records_once_and_escapes_participant_text(client, walk):
    _join(client)
    page = client.get(url("residents.capture", code="K7PM3Q")).get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(page),
        "client_uuid": re.search(r'name="client_uuid" value="([^"]+)"', page).group(1),
        # as a browser posts it: the time the page was made, so a double tap is the same observation
        "captured_at": re.search(r'name="captured_at" value="([^"]+)"', page).group(1),
        "theme": "eclairage",
        "polarity": "negative",
        "feeling": "2",
        "note": "<script>alert(1)</script> rue sombre",
        "stop": "2.295,49.918",
    }
    assert client.post(url("residents.capture_post", code="K7PM3Q"), data=form).status_code == 303
    assert (
        client.post(url("residents.capture_post", code="K7PM3Q"), data=form).status_code == 303
    )  # a double tap stores it once
    assert observations.count_observations(walk) == 1
    html = client.get(url("residents.capture", code="K7PM3Q")).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; rue sombre" in html
    assert "<script>alert(1)</script>" not in html


def test_plain_form_errors_are_shown_in_french(client, walk):
    _join(client)
    page = client.get(url("residents.capture", code="K7PM3Q")).get_data(as_text=True)
    response = client.post(
        url("residents.capture", code="K7PM3Q"),
        data={"csrf_token": csrf_from(page), "client_uuid": "x", "polarity": "negative"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Indiquez où vous êtes." in html
    assert observations.count_observations(walk) == 0


def test_service_worker_is_served_at_the_root_uncached(client):
    response = client.get(url("residents.service_worker"))
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    # the outbox module is put in place of its import: the browser's update check reads one file
    source = response.get_data(as_text=True)
    assert "export function flush()" in source and "from '/static/" not in source


def test_the_current_workers_url_is_kept_a_day_an_old_one_is_not(client):
    from webapp.residents import offline

    current = client.get(url("residents.service_worker", v=offline.manifest().version))
    assert current.headers["Cache-Control"] == "max-age=86400"
    assert client.get(url("residents.service_worker", v="0" * 16)).headers["Cache-Control"] == "no-cache"


def test_the_api_names_the_current_worker_for_the_page_to_learn_a_new_version(client, walk):
    from webapp.residents import offline

    joined = client.post(url("api.join"), json={"code": walk.join_code})
    auth = {"Authorization": f"Bearer {joined.json['token']}"}
    response = client.get(url("api.list_observations"), headers=auth)
    assert response.status_code == 200
    worker = url("residents.service_worker", v=offline.manifest().version)
    assert response.headers["X-Arpenteur-Worker"] == worker


def test_joining_answers_with_an_empty_redirect_and_the_capture_page_sets_no_cookie(client, walk):
    """So the service worker keeps the page the browser already holds (it varies on the cookies)."""
    joined = _join(client)
    assert joined.status_code == 303 and joined.get_data() == b""
    page = client.get(url("residents.capture", code="K7PM3Q"))
    assert page.status_code == 200 and "Set-Cookie" not in page.headers


def test_manifest_and_capture_assets_are_served(client):
    for path in [
        "/static/manifest.webmanifest",
        "/static/js/capture.js",
        "/static/js/outbox.js",
        "/static/js/pinmap.js",
        "/static/js/photo.js",
        "/static/css/capture.css",
        "/static/img/icon-192.png",
        "/static/img/icon-512.png",
    ]:
        response = client.get(path)
        response.close()
        assert response.status_code == 200, path


def _sw_manifest(client) -> dict:  # type: ignore[no-untyped-def]
    source = client.get(url("residents.service_worker")).get_data(as_text=True)
    first, _newline, _rest = source.partition("\n")
    assert first.startswith("const MANIFEST = ") and first.endswith(";")
    return json.loads(first.removeprefix("const MANIFEST = ").removesuffix(";"))


def test_every_asset_the_service_worker_caches_exists(client):
    manifest = _sw_manifest(client)
    for path in [*manifest["assets"], manifest["offline"]]:
        response = client.get(path)
        response.close()
        assert response.status_code == 200, path


def test_the_service_worker_keeps_what_the_capture_page_loads_found_by_reading_the_files(client):
    """Templates' static files, followed through module imports: no list kept by hand."""
    manifest = _sw_manifest(client)
    static = "/static/"  # the plain URLs, which the residents' pages name (webapp.static_assets)
    assert {f"{static}{name}" for name in ("css/app.css", "css/capture.css", "js/capture.js")} <= set(
        manifest["assets"]
    )
    # not in any template: found through capture.js's imports, its import() of the pin map and the
    # pin map's style sheet, which capture.js adds itself (new URL(…, import.meta.url))
    imported = {f"{static}js/{name}" for name in ("outbox.js", "pinmap.js", "photo.js")}
    assert imported | {f"{static}css/pinmap.css"} <= set(manifest["assets"])
    assert f"{static}manifest.webmanifest" not in manifest["assets"]  # read by the browser, online
    assert not [a for a in manifest["assets"] if "/vendor/" in a or "debrief" in a]
    assert manifest["offline"] == url("residents.offline_page") and len(manifest["version"]) == 16


def test_the_cache_version_changes_when_a_kept_file_changes(tmp_path, monkeypatch):
    from webapp.residents import offline

    static, templates = tmp_path / "static", tmp_path / "templates"
    shutil.copytree(offline.STATIC_DIR / "js", static / "js")
    shutil.copytree(offline.STATIC_DIR / "css", static / "css")
    (static / "img").mkdir()
    shutil.copytree(offline.TEMPLATES_DIR, templates)
    for name in ("manifest.webmanifest", "img/favicon.svg"):
        shutil.copy(offline.STATIC_DIR / name, static / name)
    monkeypatch.setattr(offline, "STATIC_DIR", static)
    monkeypatch.setattr(offline, "TEMPLATES_DIR", templates)
    monkeypatch.setattr(offline, "SERVICE_WORKER", static / "js" / "sw.js")
    before = offline.manifest()
    assert "js/outbox.js" in before.files
    with (static / "js" / "outbox.js").open("a") as changed:
        changed.write("// deployed again\n")
    after = offline.manifest()
    assert after.files == before.files and after.version != before.version


def test_the_offline_page_is_a_phone_page(client):
    response = client.get(url("residents.offline_page"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="viewport"' in html
    assert "css/capture.css" in html and "Pas de réseau" in html


def test_capture_page_links_the_public_follow_up_only_when_the_project_opened_it(client, walk, db_session):
    _join(client)
    assert url("public.followup", slug="amiens-test") not in client.get(
        url("residents.capture", code="K7PM3Q")
    ).get_data(as_text=True)
    walk.project.public_followup = True
    db_session.commit()
    page = client.get(url("residents.capture", code="K7PM3Q")).get_data(as_text=True)
    assert url("public.followup", slug="amiens-test") in page and "Ce que deviennent les propositions" in page
    assert client.get(url("public.followup", slug="amiens-test")).status_code == 200


def test_a_lived_or_seen_question_is_asked_and_kept_only_about_sensitive_themes(client, walk, db_session):
    """A form may add « vécu / vu » (asked: sensitive): shown with harassment, dropped elsewhere."""
    import copy
    import hashlib

    import yaml

    from mobile_forms.schema import DEFINITIONS_DIR
    from webapp.models import FormVersion

    data = copy.deepcopy(
        yaml.safe_load((DEFINITIONS_DIR / "marche_exploratoire.v2.yaml").read_text(encoding="utf-8"))
    )
    data["key"], data["version"] = "grille_vecu", 1
    data["fields"].insert(
        1,
        {
            "key": "vecu",
            "type": "single_choice",
            "label": {"fr": "Vous l'avez vécu ou vu ?", "en": "Did it happen to you, or did you see it?"},
            "required": False,
            "asked": "sensitive",
            "choices": [
                {"key": "vecu", "label": {"fr": "Je l'ai vécu", "en": "It happened to me"}},
                {"key": "vu", "label": {"fr": "Je l'ai vu", "en": "I saw it"}},
            ],
        },
    )
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    db_session.add(
        FormVersion(key="grille_vecu", version=1, title="Vécu", definition=data, content_hash=digest)
    )
    walk.form_key, walk.form_version = "grille_vecu", 1
    db_session.commit()

    _join(client)
    page = client.get(url("residents.capture", code="K7PM3Q")).get_data(as_text=True)
    # a quick tap, shown at once (CSS hides it until a sensitive theme is chosen), like the good/bad one
    assert 'data-field="vecu" data-type="single_choice" data-asked="sensitive"' in page
    assert 'data-field="polarity" data-type="single_choice" data-asked="other"' in page
    assert page.index('data-field="vecu"') < page.index('<details class="step more"')

    def post(theme: str, **answers: str) -> None:
        fresh = client.get(url("residents.capture", code="K7PM3Q")).get_data(as_text=True)
        form = {
            "csrf_token": csrf_from(fresh),
            "client_uuid": re.search(r'name="client_uuid" value="([^"]+)"', fresh).group(1),
            "theme": theme,
            "stop": "2.295,49.918",
            **answers,
        }
        assert client.post(url("residents.capture", code="K7PM3Q"), data=form).status_code == 303

    post("harcelement", vecu="vu", polarity="positive")  # the hidden good/bad answer is not kept
    post("eclairage", vecu="vecu", polarity="negative")  # « vécu » is no question about lighting
    stored = {o.theme: o for o in observations.list_own_observations(walk.participants[0])}
    assert stored["harcelement"].answers == {"vecu": "vu"} and stored["harcelement"].polarity == "negative"
    assert stored["eclairage"].answers == {} and stored["eclairage"].polarity == "negative"


def test_the_join_page_says_why_a_code_is_refused_in_its_own_language(client) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.support import csrf_token

    for lang, expected in (
        ("fr", "Ce code ne correspond à aucune marche."),
        ("en", "This code matches no walk. Check it with the walk&#39;s facilitator."),
    ):
        token = csrf_token(client, url("residents.join", lang=lang))
        page = client.post(url("residents.join_post"), data={"csrf_token": token, "code": "ZZZZZZ"})
        assert expected in page.get_data(as_text=True), lang
