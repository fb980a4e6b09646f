"""``checkin package``: the skill package the ASK CLI deploys, from ``models/``.

    checkin package --public-url https://checkin.example.org [--certificate SelfSigned]

writes ``skill-package/skill.json``, ``skill-package/interactionModels/custom/<locale>.json`` for
every locale with a model (real files: the CLI zips symlinks as links), and ``ask-resources.json``
(both git-ignored), so ``ask deploy`` works from the repository. The tracked source,
``models/skill.json``, holds no endpoint and no URL: the endpoint (``--endpoint``, default the
public URL itself), its ``sslCertificateType`` (``--certificate``) and the base of the icon,
privacy and terms links (``--public-url`` or ``CHECKIN_PUBLIC_URL``) are given at build time.

The source's ``publishingInformation.locales`` holds the store text per language (``"en"``),
optionally refined per locale (``"en-GB"``: only the fields that differ); each locale with a
model gets its language's text, its locale's changes, the icons, and the privacy and terms
pages of its language once they are written (``skill/pages/<lang>/``: ``pages.languages()``
reads the folder, so a new language's pages are linked as soon as they exist), else English.
``distributionCountries`` are the countries of those locales. Nothing is written unless the
package passes validate.py."""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from skill import pages
from skill.config import public_base_url
from skill.errors import CommandError, ConfigError

from .. import MODELS_DIR, PROJECT_ROOT
from .. import models as generator
from .validate import CERTIFICATE_TYPES, Package, problems

PACKAGE_DIR = "skill-package"
RESOURCES_FILE = "ask-resources.json"
RESOURCES_VERSION = "2020-03-31"
ICONS = {"smallIconUri": "/static/icon-108.png", "largeIconUri": "/static/icon-512.png"}


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CommandError(f"cannot read {path}: {e}") from None


def _urls_in(value, where: str = "manifest") -> list[str]:
    if isinstance(value, dict):
        return [u for key, item in value.items() for u in _urls_in(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [u for index, item in enumerate(value) for u in _urls_in(item, f"{where}[{index}]")]
    return [where] if isinstance(value, str) and "://" in value else []


def _text_for(locale: str, texts: dict) -> dict:
    """The language's store text with the locale's changes; empty when neither exists, which
    the validator reports field by field."""
    text: dict = {}
    for key in (locale.split("-")[0], locale):
        text.update(copy.deepcopy(texts.get(key, {})))
    return text


def endpoint_url(raw: str) -> str:
    """An endpoint as Alexa can call it: HTTPS on port 443."""
    value = raw.strip()
    base = public_base_url(urlsplit(value)._replace(path="").geturl(), "--endpoint")
    return base + (urlsplit(value).path or "/")


def build_manifest(source: dict, locales: list[str], public_url: str, endpoint: str,
                   certificate: str, pages_dir: Path = pages.HERE) -> dict:
    """The deployable skill.json: the source with every locale, link and endpoint filled in;
    each locale's privacy and terms links are its language's pages in `pages_dir`, if written."""
    skill = copy.deepcopy(source)
    manifest = skill["manifest"]
    if urls := _urls_in(manifest):
        raise CommandError(f"models/skill.json holds a URL at {urls[0]}: endpoints and links come "
                           "from --public-url, --endpoint and CHECKIN_PUBLIC_URL")
    info = manifest["publishingInformation"]
    texts = info.pop("locales", {})
    written = set(pages.languages(pages_dir))
    info["locales"], privacy = {}, {}
    for locale in locales:
        language = locale.split("-")[0]
        info["locales"][locale] = _text_for(locale, texts) | {
            field: public_url + path for field, path in ICONS.items()}
        page_language = language if language in written else pages.DEFAULT_LANGUAGE
        privacy[locale] = {
            "privacyPolicyUrl": public_url + pages.path_of("privacy", page_language),
            "termsOfUseUrl": public_url + pages.path_of("terms", page_language),
        }
    if not info.get("isAvailableWorldwide"):
        info.setdefault("distributionCountries",
                        sorted({locale.split("-")[1] for locale in locales if "-" in locale}))
    manifest["privacyAndCompliance"]["locales"] = privacy
    point = {"uri": endpoint, "sslCertificateType": certificate}
    manifest.setdefault("apis", {}).setdefault("custom", {})["endpoint"] = dict(point)
    if "events" in manifest:
        manifest["events"]["endpoint"] = dict(point)
    return skill


def build(public_url: str, endpoint: str | None = None, certificate: str = "Trusted",
          models_dir: Path = MODELS_DIR, pages_dir: Path = pages.HERE) -> Package:
    """The package for `public_url` (already checked by ``public_base_url``)."""
    locales = generator.locales(models_dir)
    models = {locale: _read(models_dir / f"{locale}.json") for locale in locales}
    skill = build_manifest(_read(models_dir / generator.MANIFEST), locales, public_url,
                           endpoint or public_url + "/", certificate, pages_dir)
    return Package(skill, models)


def resources(existing: Path, profile: str) -> dict:
    """ask-resources.json, keeping whatever else the ASK CLI wrote there."""
    data = {}
    if existing.is_file():
        try:
            data = json.loads(existing.read_text(encoding="utf-8"))
        except ValueError:
            data = {}
    data = data if isinstance(data, dict) else {}
    data["askcliResourcesVersion"] = RESOURCES_VERSION
    profiles = data.setdefault("profiles", {})
    entry = profiles.setdefault(profile, {})
    entry.setdefault("skillMetadata", {})["src"] = f"./{PACKAGE_DIR}"
    return data


def write(package: Package, out_dir: Path, profile: str = "default") -> Path:
    """Write the package under `out_dir` (the old one first removed), and ask-resources.json."""
    folder = out_dir / PACKAGE_DIR
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)
    custom = folder / "interactionModels" / "custom"
    custom.mkdir(parents=True)
    (folder / "skill.json").write_text(generator.dumps(package.skill), encoding="utf-8")
    for locale, model in package.models.items():
        (custom / f"{locale}.json").write_text(generator.dumps(model), encoding="utf-8")
    path = out_dir / RESOURCES_FILE
    path.write_text(generator.dumps(resources(path, profile)), encoding="utf-8")
    return folder


def package_command(args: argparse.Namespace) -> int:
    raw = args.public_url or os.environ.get("CHECKIN_PUBLIC_URL", "")
    if not raw.strip():
        raise CommandError("no public URL: pass --public-url https://your.host (where the "
                           "service answers on port 443) or set CHECKIN_PUBLIC_URL")
    try:
        public_url = public_base_url(raw, "--public-url" if args.public_url else "CHECKIN_PUBLIC_URL")
        endpoint = endpoint_url(args.endpoint) if args.endpoint else public_url + "/"
    except ConfigError as e:
        raise CommandError(str(e)) from None
    package = build(public_url, endpoint, args.certificate, Path(args.models))
    found = problems(package)
    if found:
        for problem in found:
            print(f"  {problem}", file=sys.stderr)
        raise CommandError(f"the skill package breaks {len(found)} rule(s), listed above; "
                           "nothing was written")
    out = Path(args.out)
    folder = write(package, out, args.profile)
    locales = ", ".join(package.models)
    print(f"wrote {folder} (skill.json; interaction models {locales}) and "
          f"{out / RESOURCES_FILE}")
    print(f"endpoint {endpoint} ({args.certificate} certificate); icons, privacy and terms "
          f"under {public_url}")
    print("next: ask deploy (or upload skill.json and the models in the developer console)")
    return 0


def add_command(subparsers) -> None:
    p = subparsers.add_parser("package", help="write skill-package/ and ask-resources.json for "
                                              "the ASK CLI, from models/")
    p.add_argument("--public-url", default="",
                   help="the service's public HTTPS base URL (default $CHECKIN_PUBLIC_URL)")
    p.add_argument("--endpoint", default="",
                   help="the HTTPS URL Alexa posts requests to (default: the public URL, path /)")
    p.add_argument("--certificate", choices=sorted(CERTIFICATE_TYPES), default="Trusted",
                   help="the endpoint's certificate: Trusted (a public CA), Wildcard, or "
                        "SelfSigned (uploaded in the developer console); default Trusted")
    p.add_argument("--out", default=str(PROJECT_ROOT),
                   help="the folder to write into (default: the project root)")
    p.add_argument("--profile", default="default", help="the ASK CLI profile (default default)")
    p.add_argument("--models", default=str(MODELS_DIR), help="the models folder (default models/)")
    p.set_defaults(func=package_command)
