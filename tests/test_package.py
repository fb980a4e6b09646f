"""`checkin package`: from models/ to the skill package the ASK CLI deploys, for the public URL
given, validated before anything is written, and git-ignored."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from skill import cli, pages
from skill.dev import MODELS_DIR
from skill.dev.skill_package import validate
from skill.dev.skill_package.build import PACKAGE_DIR, RESOURCES_FILE, build

ROOT = Path(__file__).resolve().parents[1]
LOCALES = sorted(p.stem for p in MODELS_DIR.glob("*.json") if p.name != "skill.json")


def run(args, capsys, monkeypatch, env=None):
    monkeypatch.delenv("CHECKIN_PUBLIC_URL", raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    status = cli.main(["package", *args])
    out, err = capsys.readouterr()
    return status, out, err


def read_package(out: Path) -> validate.Package:
    folder = out / PACKAGE_DIR
    models = {p.stem: json.loads(p.read_text()) for p in (folder / "interactionModels" / "custom").glob("*.json")}
    return validate.Package(json.loads((folder / "skill.json").read_text()), models)


def test_a_fresh_package_passes_every_rule(tmp_path, capsys, monkeypatch):
    status, out, err = run(["--public-url", "https://example.org", "--out", str(tmp_path)],
                           capsys, monkeypatch)
    assert status == 0, err
    assert "next: ask deploy" in out
    package = read_package(tmp_path)
    assert validate.problems(package) == []
    assert sorted(package.models) == LOCALES
    for locale in LOCALES:
        assert package.models[locale] == json.loads((MODELS_DIR / f"{locale}.json").read_text())
    for path in (tmp_path / PACKAGE_DIR).rglob("*"):
        assert not path.is_symlink(), path
    manifest = package.skill["manifest"]
    assert manifest["apis"]["custom"]["endpoint"] == {"uri": "https://example.org/",
                                                      "sslCertificateType": "Trusted"}
    assert manifest["privacyAndCompliance"]["locales"]["en-GB"]["privacyPolicyUrl"] == \
        "https://example.org/privacy"
    resources = json.loads((tmp_path / RESOURCES_FILE).read_text())
    assert resources == {"askcliResourcesVersion": "2020-03-31",
                         "profiles": {"default": {"skillMetadata": {"src": "./skill-package"}}}}


def test_each_locale_links_its_own_languages_pages(tmp_path, capsys, monkeypatch, client):
    status, _, err = run(["--public-url", "https://example.org", "--out", str(tmp_path)],
                         capsys, monkeypatch)
    assert status == 0, err
    links = read_package(tmp_path).skill["manifest"]["privacyAndCompliance"]["locales"]
    assert set(links) == set(LOCALES)
    assert {locale.split("-")[0] for locale in LOCALES} >= {"en", "de", "es", "fr"}
    for locale, urls in links.items():
        language = locale.split("-")[0]
        tail = "" if language == "en" else f"/{language}"
        assert urls == {"privacyPolicyUrl": f"https://example.org/privacy{tail}",
                        "termsOfUseUrl": f"https://example.org/terms{tail}"}, locale
        for url in urls.values():
            reply = client.get(url.removeprefix("https://example.org"))
            assert reply.status_code == 200, url
            assert f'<html lang="{language}">' in reply.get_data(as_text=True), url


def test_a_languages_pages_are_linked_once_written(tmp_path):
    """No list of languages: the build links what skill/pages holds, here a copy plus Italian."""
    models, folder = tmp_path / "models", tmp_path / "pages"
    shutil.copytree(MODELS_DIR, models)
    shutil.copy(models / "en-US.json", models / "it-IT.json")
    source = json.loads((models / "skill.json").read_text())
    texts = source["manifest"]["publishingInformation"]["locales"]
    texts["it"] = texts["en"]
    (models / "skill.json").write_text(json.dumps(source))
    for language in pages.languages():
        shutil.copytree(pages.HERE / language, folder / language)

    def privacy(locale: str) -> str:
        manifest = build("https://example.org", models_dir=models, pages_dir=folder).skill
        return manifest["manifest"]["privacyAndCompliance"]["locales"][locale]["privacyPolicyUrl"]

    assert privacy("it-IT") == "https://example.org/privacy", "English until Italian is written"
    (folder / "it").mkdir()
    (folder / "it" / "privacy.md").write_text("Informativa.", encoding="utf-8")
    (folder / "it" / "terms.md").write_text("Termini.", encoding="utf-8")
    assert privacy("it-IT") == "https://example.org/privacy", "not without its titles"
    shutil.copy(folder / "en" / "titles.toml", folder / "it" / "titles.toml")
    assert privacy("it-IT") == "https://example.org/privacy/it"
    assert privacy("de-DE") == "https://example.org/privacy/de"
    shutil.rmtree(folder / "de")
    assert privacy("de-DE") == "https://example.org/privacy"


def test_the_endpoint_and_its_certificate_come_from_flags_or_the_environment(tmp_path, capsys, monkeypatch):
    (tmp_path / PACKAGE_DIR / "interactionModels" / "custom").mkdir(parents=True)
    stale = tmp_path / PACKAGE_DIR / "interactionModels" / "custom" / "xx-XX.json"
    stale.write_text("{}")
    (tmp_path / RESOURCES_FILE).write_text(json.dumps({"profiles": {"other": {"x": 1}}}))
    status, _, err = run(["--out", str(tmp_path), "--certificate", "SelfSigned",
                          "--endpoint", "https://alexa.example.net/skill"], capsys, monkeypatch,
                         env={"CHECKIN_PUBLIC_URL": "https://pages.example.net:443/"})
    assert status == 0, err
    manifest = read_package(tmp_path).skill["manifest"]
    point = {"uri": "https://alexa.example.net/skill", "sslCertificateType": "SelfSigned"}
    assert manifest["apis"]["custom"]["endpoint"] == point and manifest["events"]["endpoint"] == point
    assert manifest["publishingInformation"]["locales"]["en-US"]["largeIconUri"] == \
        "https://pages.example.net:443/static/icon-512.png"
    assert not stale.exists(), "an old package is replaced, not merged"
    resources = json.loads((tmp_path / RESOURCES_FILE).read_text())
    assert resources["profiles"]["other"] == {"x": 1}, "what the ASK CLI wrote is kept"


@pytest.mark.parametrize("args,env,line", [
    ([], {}, "no public URL: pass --public-url"),
    (["--public-url", "http://example.org"], {}, "--public-url must be an https:// URL"),
    (["--public-url", "https://example.org:8443"], {}, "--public-url must use port 443"),
    ([], {"CHECKIN_PUBLIC_URL": "https://example.org/?x=1"}, "CHECKIN_PUBLIC_URL must be a plain base URL"),
    (["--public-url", "https://example.org", "--endpoint", "http://example.org/"], {},
     "--endpoint must be an https:// URL"),
])
def test_a_bad_address_is_one_line(tmp_path, capsys, monkeypatch, args, env, line):
    status, out, err = run([*args, "--out", str(tmp_path)], capsys, monkeypatch, env)
    assert status == 2
    assert err.strip().splitlines() == [err.strip()] and err.startswith(f"checkin: error: {line}")
    assert not (tmp_path / PACKAGE_DIR).exists()


def test_a_bad_certificate_type_is_refused(tmp_path, capsys, monkeypatch):
    with pytest.raises(SystemExit) as caught:
        run(["--public-url", "https://example.org", "--certificate", "Cheap"], capsys, monkeypatch)
    assert caught.value.code == 2


def test_a_package_that_breaks_a_rule_is_not_written(tmp_path, capsys, monkeypatch):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    model = json.loads((models / "en-GB.json").read_text())
    model["interactionModel"]["languageModel"]["invocationName"] = "open check in"
    (models / "en-GB.json").write_text(json.dumps(model))
    status, _, err = run(["--public-url", "https://example.org", "--out", str(tmp_path),
                          "--models", str(models)], capsys, monkeypatch)
    assert status == 2
    assert "en-GB: invocation name 'open check in': may not contain ['open']" in err
    assert err.strip().splitlines()[-1].startswith("checkin: error: the skill package breaks")
    assert not (tmp_path / PACKAGE_DIR).exists() and not (tmp_path / RESOURCES_FILE).exists()


def test_a_url_in_the_manifest_source_is_refused(tmp_path, capsys, monkeypatch):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    source = json.loads((models / "skill.json").read_text())
    source["manifest"]["apis"]["custom"]["endpoint"] = {"uri": "https://checkin.example.com/"}
    (models / "skill.json").write_text(json.dumps(source))
    status, _, err = run(["--public-url", "https://example.org", "--out", str(tmp_path),
                          "--models", str(models)], capsys, monkeypatch)
    assert status == 2
    assert "models/skill.json holds a URL at manifest.apis.custom.endpoint.uri" in err


def test_a_locale_without_store_text_is_named(tmp_path, capsys, monkeypatch):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    shutil.copy(models / "en-US.json", models / "it-IT.json")
    status, _, err = run(["--public-url", "https://example.org", "--out", str(tmp_path),
                          "--models", str(models)], capsys, monkeypatch)
    assert status == 2
    assert ("publishingInformation.locales.it-IT.name is missing (Amazon; the store text of a "
            "language is publishingInformation.locales.it in models/skill.json)") in err
    assert not (tmp_path / PACKAGE_DIR).exists()


def test_the_generated_package_is_ignored_by_git():
    paths = [f"{PACKAGE_DIR}/skill.json", f"{PACKAGE_DIR}/interactionModels/custom/en-US.json",
             RESOURCES_FILE, ".ask/ask-states.json"]
    result = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.split() == paths
