"""Rule files are data: broken or hostile ones are refused with file, field and reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from advisor.engine.assess import fact_scopes
from advisor.engine.rules import load_rule, load_rules
from advisor.errors import InputError

GOOD = """\
code: DSK901
name: test-window
area: large-disks
title: A test rule for the loader
severity: high
disposition: rehost
effort_hours: 2
when: transfer_hours > window_hours
params:
  window_hours: {default: 48, unit: h, description: Longest acceptable copy time}
message: "{used_gib:,.0f} GiB need {transfer_hours:.1f} h"
rationale: >-
  This text explains at sufficient length why the condition matters for a migration, with
  enough words to satisfy the metadata checks that every catalog rule must pass.
remediation: >-
  This text explains what to do instead, concretely enough, with enough words to satisfy
  the metadata checks of the catalog.
references:
  - {title: A reference, url: "https://example.org/ref"}
examples:
  - {name: fail, facts: {transfer_hours: 100}, expect: fail}
  - {name: pass, facts: {transfer_hours: 1}, expect: pass}
  - {name: unknown, facts: {transfer_hours: null}, expect: unknown}
"""


def write(
    tmp_path: Path, text: str, name: str = "DSK901-test-window.yaml", area: str = "large-disks"
) -> Path:
    folder = tmp_path / area
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def load(path: Path):
    return load_rule(path, fact_scopes())


def test_good_rule_loads(tmp_path):
    rule = load(write(tmp_path, GOOD))
    assert rule.facts_used == {"transfer_hours"}
    assert rule.message_fields == {"used_gib", "transfer_hours"}


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("__import__('os').system('touch /tmp/pwned')", "attribute access"),
        ("__import__('os')", "function '__import__' is not allowed"),
        ("transfer_hours.__class__", "attribute access"),
        ("(lambda: 1)() > 0", "cannot be called"),
        ("[x for x in transfer_hours]", "comprehension"),
        ("open('/etc/passwd')", "function 'open' is not allowed"),
        ("transfer_hour > 1", "unknown name 'transfer_hour'; did you mean 'transfer_hours'"),
    ],
)
def test_hostile_or_wrong_expressions_are_refused(tmp_path, when, reason):
    path = write(tmp_path, GOOD.replace("when: transfer_hours > window_hours", f'when: "{when}"'))
    with pytest.raises(InputError) as info:
        load(path)
    assert "DSK901-test-window.yaml: field 'when'" in str(info.value)
    assert reason in str(info.value)
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("{used_gib.__class__.__mro__}", "is not allowed"),
        ("{used_gib[0]}", "is not allowed"),
        ("{used_gib!r} x", "conversions are not allowed"),
        ("{secret_key} value", "unknown name 'secret_key'"),
    ],
)
def test_message_templates_cannot_reach_objects(tmp_path, message, reason):
    path = write(
        tmp_path,
        GOOD.replace(
            'message: "{used_gib:,.0f} GiB need {transfer_hours:.1f} h"', f'message: "{message}"'
        ),
    )
    with pytest.raises(InputError, match="field 'message'") as info:
        load(path)
    assert reason in str(info.value)


def test_python_yaml_tags_are_not_constructed(tmp_path):
    text = GOOD.replace(
        "title: A test rule for the loader",
        "title: !!python/object/apply:os.system ['touch /tmp/pwned']",
    )
    with pytest.raises(InputError, match="not valid YAML"):
        load(write(tmp_path, text))
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("severity: high", "severity: critical", "field 'severity'"),
        ("area: large-disks", "area: disks", "field 'area'"),
        ("effort_hours: 2", "effort_hours: 2\nwhen_not: x", "field 'when_not' is not a rule field"),
        ("code: DSK901", "code: dsk901", "field 'code'"),
        (
            "  window_hours: {default: 48, unit: h, description: Longest acceptable copy time}",
            "  window_hours: {default: 48, description: Longest acceptable copy time}",
            "field 'params.window_hours.unit' is missing",
        ),
        (
            "  - {name: unknown, facts: {transfer_hours: null}, expect: unknown}\n",
            "",
            "field 'examples'",
        ),
        (
            "  - {name: pass, facts: {transfer_hours: 1}, expect: pass}",
            "  - {name: pass, facts: {transfer_hourz: 1}, expect: pass}",
            "unknown fact 'transfer_hourz'",
        ),
    ],
)
def test_field_errors_name_file_and_field(tmp_path, old, new, message):
    assert old in GOOD
    with pytest.raises(InputError) as info:
        load(write(tmp_path, GOOD.replace(old, new)))
    assert "DSK901-test-window.yaml" in str(info.value)
    assert message in str(info.value)


def test_file_name_area_and_prefix_must_agree(tmp_path):
    with pytest.raises(InputError, match=r"file name must be DSK901-test-window\.yaml"):
        load(write(tmp_path, GOOD, name="DSK901-other.yaml"))
    with pytest.raises(InputError, match="but the file is in folder 'backup'"):
        load(write(tmp_path, GOOD, area="backup"))
    text = GOOD.replace("code: DSK901", "code: BKP901")
    with pytest.raises(InputError, match="must start with DSK"):
        load(write(tmp_path, text, name="BKP901-test-window.yaml"))


def test_duplicate_codes_refused(tmp_path):
    write(tmp_path, GOOD)
    write(
        tmp_path,
        GOOD.replace("name: test-window", "name: test-other"),
        name="DSK901-test-other.yaml",
    )
    with pytest.raises(InputError, match="'DSK901' is already used"):
        load_rules(tmp_path, fact_scopes())


SCALEWAY_TEXTS = """\
providers:
  scaleway:
    remediation: >-
      The Scaleway version of what to do, long enough to be a real explanation for the
      customer of an engagement on that provider.
    references:
      - {title: A Scaleway page, url: "https://example.org/scaleway"}
"""


def test_provider_texts_replace_only_the_fields_they_give(tmp_path):
    text = GOOD.replace("examples:\n", SCALEWAY_TEXTS + "examples:\n")
    rule = load(write(tmp_path, text))
    assert rule.for_provider("exoscale") is rule
    scw = rule.for_provider("scaleway")
    assert scw.spec.remediation.startswith("The Scaleway version")
    assert scw.spec.rationale == rule.spec.rationale
    assert [r.url for r in scw.spec.references] == ["https://example.org/scaleway"]
    assert scw.spec.references[0].title == "A Scaleway page"
    assert scw.expression is rule.expression and scw.code == rule.code


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (SCALEWAY_TEXTS.replace("scaleway:", "ovh:"), "provider 'ovh' is not one of"),
        ("providers:\n  scaleway: {}\n", "providers.scaleway gives no text"),
        ("providers:\n  scaleway: {rationale: too short}\n", "providers.scaleway.rationale"),
        ("providers:\n  scaleway: {title: another title here}\n", "providers.scaleway.title"),
    ],
)
def test_bad_provider_texts_are_refused(tmp_path, block, message):
    text = GOOD.replace("examples:\n", block + "examples:\n")
    with pytest.raises(InputError) as info:
        load(write(tmp_path, text))
    assert "DSK901-test-window.yaml" in str(info.value)
    assert message in str(info.value)
